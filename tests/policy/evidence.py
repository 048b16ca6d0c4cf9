"""Applications as the tests make them: with a PDF for every item of evidence a rule may need (the service keeps
only the ones the awarded rules need), and decisions by a reviewer who has checked the checklist."""

from techmarket.policy.services import applications
from techmarket.policy.services.data import rulebook
from tests.market.conftest import pdf_upload


def evidence_files() -> dict:
    """A fresh PDF upload for every evidence code of the vocabulary, named as a person would name it."""
    return {code: pdf_upload(f"证明材料 {code}", f"{label}.pdf")
            for code, label in rulebook().vocabulary.evidence.items()}


def submit_with_evidence(user, data):
    return applications.submit(user, data, evidence_files())


def decide_checked(application, reviewer, action, reason="", amounts=None, **options):
    options.setdefault("evidence_checked", True)
    return applications.decide(application, reviewer, action, reason, amounts, **options)


def with_evidence(data: dict) -> dict:
    """A form's POST data with a PDF for every evidence input (`evidence-<code>`)."""
    return {**data, **{f"evidence-{code}": upload for code, upload in evidence_files().items()}}
