"""Enterprise services' facts for the policy engine (techmarket.policy.services.facts): a bad loan recorded on the
platform, as the `loan-loss` event of the 青信融 risk compensation (rule `oc2025-14-loan-risk-compensation`, seed
002_… task 14): the unpaid principal (不良贷款本金余额) as the amount, the date the loan was recognised as bad, the
lending institution as the bank, and `sme_borrower` when the enterprise declared itself micro, small or medium on its
financing need. The lending institution's verified members may claim from it; the department sees it."""

from __future__ import annotations

from techmarket.common.permissions import allowed
from techmarket.enterprises.models import BadLoan
from techmarket.enterprises.services.financing import is_sme
from techmarket.policy.services.facts import Record, register_source

SOURCE = "enterprises.bad-loan"


def event_of(bad: BadLoan) -> dict:
    response = bad.response
    need = response.need
    return {
        "type": "loan-loss", "date": bad.recognised_on.isoformat(), "amount": f"{bad.principal:.2f}",
        "parties": [{"role": "bank", "name": response.institution.name, "organisation_id": response.institution_id}],
        "flags": {"sme_borrower": True} if is_sme(need) else {},
        "project": f"loan-{response.pk}",
    }


def _record(bad: BadLoan) -> Record:
    need = bad.response.need
    label = f"{need.organisation.name}不良贷款（放款 {bad.response.granted_on:%Y-%m-%d}）"
    return Record(
        source=SOURCE, key=str(bad.pk), label=label,
        url=bad.get_absolute_url(), event=event_of(bad),
        note="借款企业规模取自其发布融资需求时的申报；不良贷款损失核定材料须上传。",
        organisation_ids=frozenset({bad.response.institution_id}),
    )


def _loans():
    return BadLoan.objects.select_related("response__need__organisation", "response__institution")


def fetch(key: str, user) -> Record | None:
    if not key.isdigit():
        return None
    bad = _loans().filter(pk=int(key)).first()
    if bad is None or not allowed(user, "enterprises.view_bad_loan", bad):
        return None
    return _record(bad)


def list_for(user) -> list[Record]:
    if not allowed(user, "enterprises.lend"):
        return []
    return [_record(bad) for bad in _loans().filter(response__institution_id=user.organisation_id)
            .order_by("-recognised_on", "-id")[:50]]


register_source(SOURCE, "不良贷款", fetch, list_for)
