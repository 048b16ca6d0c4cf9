"""Applications: an organisation claims what an event earns it; the engine pre-computes; a reviewer approves,
adjusts (with a reason) or rejects; approved amounts are committed to the ledger, year by year."""

import dataclasses
import hashlib
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from techmarket.common import audit
from techmarket.common.bounds import MAX_AMOUNT
from techmarket.common.errors import Conflict, Refused
from techmarket.common.permissions import allowed
from techmarket.common.uploads import UploadError, check_upload
from techmarket.directory.models import Organisation
from techmarket.policy.models import (
    Application,
    ApplicationAction,
    ApplicationEvidence,
    Budget,
    LedgerEntry,
    Programme,
    Rule,
)
from techmarket.policy.services import facts
from techmarket.policy.services.data import ensure_synced, rulebook
from techmarket.policy.services.engine import evaluate
from techmarket.policy.services.events import Event, parse_event
from techmarket.policy.services.facts import Provenance, Record
from techmarket.policy.services.ledger import DatabaseLedger, ledger_for
from techmarket.policy.services.results import ZERO, Award, Result, yuan

S = Application.Status
REVIEW_PERMISSION = "policy.review_application"
CANNOT_APPLY = "只有已核验并关联单位的用户可以代表单位申请奖补。"


class ApplicationError(Refused):
    """A refused application step; the message is shown to the user (Chinese)."""


class DuplicateApplication(Conflict, ApplicationError):
    """The organisation already applied for the same event: `existing` is that application (a double submission
    or a concurrent request lands here, and the caller shows the existing one)."""

    def __init__(self, existing: Application, message: str = ""):
        super().__init__(message or f"本单位已就同一事件提交过申请（编号 {existing.pk}），未重复提交。")
        self.existing = existing


def event_key(stored: dict) -> str:
    """What identifies "the same event" for one organisation: a digest of the event as stored (canonical JSON of
    its type, date, kind, amounts, parties, flags, project, year…; see docs/policy.md)."""
    text = json.dumps(stored, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def can_apply(user) -> bool:
    return allowed(user, "policy.apply")


def can_review(user) -> bool:
    return allowed(user, "policy.review")


def review_queue():
    """The submitted applications awaiting a reviewer's decision, oldest first."""
    return (Application.objects.filter(status=Application.Status.SUBMITTED).select_related("organisation")
            .order_by("submitted_at", "id"))


def resolve_parties(event: Event) -> Event:
    """Parties named exactly like a directory organisation (or one of its aliases) count as that organisation; a
    party a register knows holds the qualifications and sanctions the register says on the event's date (policy facts
    `standing_of`), whatever the event declared."""
    names = {p.name for p in event.parties if not p.organisation_id}
    found = {}
    if names:
        for org in Organisation.objects.filter(Q(name__in=names) | Q(aliases__name__in=names)).prefetch_related(
                "aliases"):
            for name in [org.name, *(a.name for a in org.aliases.all())]:
                found.setdefault(name, org.pk)
    parties = []
    for p in event.parties:
        organisation_id = p.organisation_id or found.get(p.name)
        standing = facts.standing_of(p.role, p.name, organisation_id, event.date)
        if standing is None:
            parties.append(dataclasses.replace(p, organisation_id=organisation_id))
        else:
            parties.append(dataclasses.replace(p, organisation_id=organisation_id, vouched=True,
                                               qualifications=standing.qualifications, blocks=standing.blocks))
    event.parties = tuple(parties)
    return event


def calculate(data: dict, user) -> tuple[Event, Result]:
    """"What could I get?": the event evaluated against the rules and what the user may see of the ledger."""
    book = rulebook()
    event = resolve_parties(parse_event(data, book))
    return event, evaluate(event, book, ledger_for(user))


def own_awards(result: Result, organisation_id: int) -> list[Award]:
    return [award for award in result.awards if award.organisation_id == organisation_id]


def describe(event: Event) -> str:
    words = rulebook().vocabulary
    parts = [words.event_types[event.type]]
    if event.kind:
        parts.append(words.kinds[event.kind])
    if "amount" in event.amounts:
        parts.append(yuan(event.amounts["amount"]))
    parts.append(event.date.isoformat())
    return " · ".join(parts)[:300]


def fact_lines(event: Event) -> list[tuple[str, str]]:
    """The event's facts as a person reads them: (label, value) pairs in the vocabulary's words."""
    words = rulebook().vocabulary
    lines = [("事件类型", words.event_types[event.type]), ("日期", event.date.isoformat())]
    if event.kind:
        lines.append(("类别", words.kinds[event.kind]))
    for name, value in event.amounts.items():
        lines.append((words.amounts.get(name, name), yuan(value)))
    for party in event.parties:
        lines.append((words.roles.get(party.role, party.role), party.name))
    flags = [words.flags.get(flag, flag) for flag in sorted(event.flags)]
    if flags:
        lines.append(("成立的条件事实", "；".join(flags)))
    return lines


def existing_application(organisation_id: int, event: Event) -> Application | None:
    """The organisation's application for this very event, unless it was rejected (then it may apply again)."""
    return _existing(organisation_id, event_key(event.as_dict()))


def award_key(award: dict) -> str:
    return f"{award['rule']}|{award['beneficiary']['role']}"


def submit(user, data: dict, evidence: dict | None = None) -> Application:
    """An application for an event the applicant typed (the calculator): every fact is declared, and every item of
    evidence the awarded rules need is uploaded (`evidence`: code → uploaded file)."""
    return _submit(user, data, Provenance.declared_event(data), evidence or {})


def claim(user, source: str, key: str) -> tuple[Record, Event, Result]:
    """"我能获得什么" from a platform record: its event, evaluated against what the user may see of the ledger (after
    an earlier claim from the same record, only what the money paid since then adds: see `claim_event`)."""
    item = _claimable(user, source, key)
    data, only = claim_event(item, user.organisation_id)
    event, result = calculate(data, user)
    if only is not None:
        result = dataclasses.replace(result, awards=[a for a in result.awards if a.rule_id in only])
    return item, event, result


def _claimable(user, source: str, key: str) -> Record:
    if not can_apply(user):
        raise ApplicationError(CANNOT_APPLY)
    item = facts.record(source, key, user)
    if user.organisation_id not in item.organisation_ids:
        raise ApplicationError("只有记录当事方单位的已核验成员可以据此申请奖补。")
    return item


def earlier_claims(organisation_id: int, item: Record):
    """The organisation's applications from the same record, except rejected ones, oldest first."""
    return Application.objects.filter(organisation_id=organisation_id, facts__source=item.source,
                                      facts__key=item.key).exclude(status=S.REJECTED).order_by("submitted_at", "id")


def _paid(event: dict) -> Decimal:
    return Decimal(event.get("amounts", {}).get("paid", "0"))


def paid_rules() -> set[str]:
    """The rules whose base is the amount actually paid (实际到位金额): they reward each instalment as it arrives."""
    return {rule.id for rule in rulebook().rules if any(name == "paid" for _, name in rule.formula.base)}


def claim_event(item: Record, organisation_id: int) -> tuple[dict, set[str] | None]:
    """The event to claim from a record, and the rules it may be claimed under (None: all).

    The first claim takes the record as it is. A record the organisation has claimed from before can be claimed
    again only for money paid since (a contract paid in instalments): the event carries the increment as
    `amounts.paid` (the amount paid now, less what earlier claims counted), and only the rules whose base is the
    amount paid apply, so nothing else is paid twice; per-project caps count the earlier awards as ever."""
    earlier = list(earlier_claims(organisation_id, item))
    if not earlier:
        return item.event, None
    numbers = "、".join(str(a.pk) for a in earlier)
    increment = _paid(item.event) - sum((_paid(a.event) for a in earlier), ZERO)
    if increment <= 0:
        raise DuplicateApplication(earlier[-1], f"本单位已据此记录提交过申请（编号 {numbers}），此后没有新的到位金额，"
                                                "未重复提交。")
    data = {**item.event, "amounts": {**item.event.get("amounts", {}), "paid": f"{increment:.2f}"}}
    return data, paid_rules()


@transaction.atomic
def submit_record(user, source: str, key: str, evidence: dict | None = None) -> Application:
    """An application whose facts are all taken from a platform record (none typed, so none can be changed); the
    applicant uploads only the evidence the record does not stand for."""
    item = _claimable(user, source, key)
    Organisation.objects.select_for_update().filter(pk=user.organisation_id).first()  # claims one after another
    data, only = claim_event(item, user.organisation_id)
    return _submit(user, data, Provenance.from_record(item), evidence or {}, only)


@dataclasses.dataclass(frozen=True)
class EvidenceItem:
    """One line of an application's checklist: what is needed, and what stands for it (the record, or a file)."""

    code: str
    label: str
    vouched: str = ""  # what the platform record shows for it
    upload: ApplicationEvidence | None = None

    @property
    def present(self) -> bool:
        return bool(self.vouched or self.upload)


def evidence_required(awards) -> list[str]:
    """The evidence codes the awards' rules need, each once, in the rules' order (Award objects or dicts)."""
    book = rulebook()
    codes: list[str] = []
    for award in awards:
        rule_id = award["rule"] if isinstance(award, dict) else award.rule_id
        codes += [code for code in book.rule(rule_id).evidence if code not in codes]
    return codes


def evidence_items(codes, vouched: dict[str, str] | None = None, uploads=()) -> list[EvidenceItem]:
    """The checklist: each needed code with what the record shows for it or the file uploaded for it."""
    labels = rulebook().vocabulary.evidence
    files = {upload.code: upload for upload in uploads}
    vouched = vouched or {}
    return [EvidenceItem(code, labels.get(code, code), vouched.get(code, ""), files.get(code)) for code in codes]


def checklist(application: Application) -> list[EvidenceItem]:
    return evidence_items(application.evidence_required, Provenance.from_dict(application.facts).evidence,
                          application.evidence.all())


def _store_evidence(user, application: Application, codes: list[str], vouched: dict, uploads: dict) -> None:
    """Check and keep an upload for every needed item the record does not stand for; refuse (nothing kept) when one
    is missing or is not an acceptable file."""
    labels = rulebook().vocabulary.evidence
    missing = [labels[code] for code in codes if code not in vouched and not uploads.get(code)]
    if missing:
        raise ApplicationError("请上传以下证明材料：" + "、".join(missing) + "。")
    for code in codes:
        if code in vouched:
            continue
        try:
            checked = check_upload(uploads[code])
        except UploadError as error:
            raise ApplicationError(f"{labels[code]}：{error}") from None
        row = ApplicationEvidence(application=application, code=code, name=checked.name,
                                  content_type=checked.type.content_type, extension=checked.type.extension,
                                  size=checked.size, sha256=checked.sha256, uploaded_by=user)
        row.file.save(checked.name, ContentFile(checked.data), save=False)
        row.save()


@transaction.atomic
def _submit(user, data: dict, provenance: Provenance, uploads: dict, only: set[str] | None = None) -> Application:
    if not can_apply(user):
        raise ApplicationError(CANNOT_APPLY)
    book = ensure_synced()
    event = resolve_parties(parse_event(data, book))
    if not any(p.organisation_id == user.organisation_id for p in event.parties):
        raise ApplicationError("事件的当事方中须有本单位。")
    stored = event.as_dict()
    key = event_key(stored)
    # The organisation's row is locked so that requests for it are serialised; the unique constraint on
    # (organisation, event_key) is the backstop for any that get past the lock.
    Organisation.objects.select_for_update().filter(pk=user.organisation_id).first()
    _check_not_applied(user.organisation_id, key)
    result = evaluate(event, book, DatabaseLedger())
    awards = [a for a in own_awards(result, user.organisation_id) if only is None or a.rule_id in only]
    if not awards:
        raise ApplicationError("按现行条款，本单位在此事件中没有可申请的奖补。")
    total = sum((a.amount for a in awards), ZERO)
    if total > MAX_AMOUNT:
        raise ApplicationError(f"计算合计 ¥{total:,.2f} 超过单笔申请上限 ¥{MAX_AMOUNT:,.2f}，请核对事件金额。")
    codes = evidence_required(awards)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                organisation_id=user.organisation_id, applicant=user, title=describe(event), event=stored,
                event_key=key, awards=[a.as_dict() for a in awards],
                not_applied=[n.as_dict() for n in result.not_applied if n.code != "event_type"],
                rules_version=book.version, computed_total=total, facts=provenance.as_dict(),
                evidence_required=codes,
            )
    except IntegrityError:
        _check_not_applied(user.organisation_id, key)
        raise
    _store_evidence(user, application, codes, provenance.evidence, uploads)
    audit.log_action(application, ApplicationAction.SUBMITTED, user, data={"total": str(total)})
    return application


def _existing(organisation_id: int, key: str) -> Application | None:
    return Application.objects.filter(organisation_id=organisation_id, event_key=key).exclude(
        status=S.REJECTED).first()


def _check_not_applied(organisation_id: int, key: str) -> None:
    duplicate = _existing(organisation_id, key)
    if duplicate:
        raise DuplicateApplication(duplicate)


def current_awards(application: Application) -> list[Award]:
    """The application's awards computed again against today's ledger (others may have been committed since)."""
    book = ensure_synced()
    event = resolve_parties(parse_event(application.event, book))  # standings as the registers say today
    return own_awards(evaluate(event, book, DatabaseLedger()), application.organisation_id)


def _most_generous(event: Event, book) -> Event:
    """The event with every ranged parameter at the top of its range and no requested amount (so a ceiling
    counts in full): what the rules allow at most for it."""
    parameters = {rule_id: dict(values) for rule_id, values in event.parameters.items()}
    for rule in book.rules:
        for name, param in rule.formula.params().items():
            if param.is_range:
                parameters.setdefault(rule.id, {})[name] = param.high
    amounts = {name: value for name, value in event.amounts.items() if name != "requested"}
    return dataclasses.replace(event, parameters=parameters, amounts=amounts)


def maximum_awards(application: Application, current: list[dict] | None = None) -> dict[str, Decimal]:
    """Per award (award_key), the most a reviewer may commit: what the rule gives at its most generous reading
    (top of a range, the full ceiling of a "最高/以内" rule), after the caps and today's ledger, and never less than
    what is computed now."""
    book = ensure_synced()
    event = _most_generous(resolve_parties(parse_event(application.event, book)), book)
    generous = own_awards(evaluate(event, book, DatabaseLedger()), application.organisation_id)
    limits = {award_key(a.as_dict()): a.amount for a in generous}
    for award in current if current is not None else [a.as_dict() for a in current_awards(application)]:
        key = award_key(award)
        limits[key] = max(limits.get(key, ZERO), Decimal(award["amount"]))
    return limits


def _split(total: Decimal, instalments: list[dict]) -> list[tuple[int, Decimal]]:
    """An adjusted total over the award's years: years are filled in order up to their computed amounts (a cut
    shortens the schedule); an increase goes to the last year."""
    parts, left = [], total
    for i, instalment in enumerate(instalments):
        share = min(left, Decimal(instalment["amount"])) if i < len(instalments) - 1 else left
        parts.append((instalment["year"], share))
        left -= share
    return [(year, amount) for year, amount in parts if amount]


@transaction.atomic
def decide(application: Application, reviewer, action: str, reason: str = "",
           amounts: dict[str, Decimal] | None = None, *, evidence_checked: bool = False,
           over_budget: bool = False) -> Application:
    """approve: commit the amounts as computed now; adjust: commit the reviewer's amounts (reason required);
    reject: nothing is committed (reason required). Every decision is recorded with its reason.

    Approving or adjusting needs the reviewer's confirmation that the evidence checklist was checked item by item
    (`evidence_checked`, when the application has one), and commitments that would take a programme's year past its
    budget need `over_budget` and a reason (recorded with the decision)."""
    if not can_review(reviewer):
        raise ApplicationError("只有省科技厅审核人员可以审核奖补申请。")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_open:
        raise ApplicationError(f"该申请已处理（{application.get_status_display()}）。")
    reason = (reason or "").strip()
    if action not in ("approve", "adjust", "reject"):
        raise ApplicationError("未知的审核操作。")
    if action in ("adjust", "reject") and not reason:
        raise ApplicationError("调整或不予核准须填写理由。")
    if action != "reject" and application.evidence_required:
        missing = [item.label for item in checklist(application) if not item.present]
        if missing:
            raise ApplicationError("证明材料不全，不能核准：" + "、".join(missing) + "。")
        if not evidence_checked:
            raise ApplicationError("请先逐项核对证明材料清单，并勾选“已逐项核对”。")
    now = timezone.now()
    if action == "reject":
        application.status, application.reviewer, application.reason, application.decided_at = (
            S.REJECTED, reviewer, reason, now)
        application.save()
        audit.log_action(application, ApplicationAction.REJECTED, reviewer, reason=reason)
        return application
    # Approvals of awards under the same rules wait for each other, so caps that span applications hold.
    list(Rule.objects.select_for_update().filter(rule_id__in=[a["rule"] for a in application.awards]))
    awards = [a.as_dict() for a in current_awards(application)]
    limits = maximum_awards(application, awards) if action == "adjust" else {}
    decided = []
    for award in awards:
        computed = Decimal(award["amount"])
        amount = computed
        if action == "adjust":
            chosen = (amounts or {}).get(award_key(award))
            amount = computed if chosen is None else Decimal(chosen)
            if not amount.is_finite() or amount < 0:
                raise ApplicationError("核准金额不能为负数。")
            limit = limits[award_key(award)]
            if amount > limit:
                raise ApplicationError(f"“{award['title']}”的核准金额不能超过条款允许的最高额 ¥{limit:,.2f}"
                                       f"（按当前台账计算 ¥{computed:,.2f}）。")
            amount = amount.quantize(Decimal("0.01"))
        decided.append({**award, "computed": str(computed), "amount": str(amount)})
    total = sum((Decimal(a["amount"]) for a in decided), ZERO)
    if action == "approve" and not total:
        raise ApplicationError("按当前台账已无可核准的金额，请调整或不予核准。")
    exceeded = budget_excess(decided)
    if exceeded and not over_budget:
        raise ApplicationError("核准后将超出预算：" + "；".join(exceeded)
                               + "。如确需超出，请勾选“超出预算核准”并在理由中说明。")
    if exceeded and not reason:
        raise ApplicationError("超出预算核准须填写理由。")
    changed = action == "adjust" and any(a["amount"] != a["computed"] for a in decided)
    status = S.ADJUSTED if changed else S.APPROVED
    application.status, application.reviewer, application.reason, application.decided_at = status, reviewer, reason, now
    application.decided_awards, application.decided_total = decided, total
    application.save()
    _commit(application, decided, reviewer, reason)
    audit.log_action(
        application, ApplicationAction.ADJUSTED if changed else ApplicationAction.APPROVED, reviewer, reason=reason,
        data={"total": str(total), "computed_total": str(application.computed_total),
              "awards": [{"rule": a["rule"], "computed": a["computed"], "amount": a["amount"]} for a in decided],
              "evidence_checked": bool(application.evidence_required), "over_budget": exceeded},
    )
    return application


def budget_excess(decided: list[dict]) -> list[str]:
    """What committing `decided` (awards with their decided amounts) would take past a set budget, programme by
    year, in words; the budgets involved are locked so that concurrent approvals are counted one after another."""
    adding: dict[tuple[str, int], Decimal] = {}
    for award in decided:
        for year, share in _split(Decimal(award["amount"]), award["instalments"]):
            adding[(award["programme"], year)] = adding.get((award["programme"], year), ZERO) + share
    if not adding:
        return []
    budgets = {(b.programme.code, b.year): b for b in Budget.objects.select_for_update().select_related("programme")
               .filter(programme__code__in={p for p, _ in adding}, year__in={y for _, y in adding},
                       amount__isnull=False)}
    exceeded = []
    for (programme, year), amount in sorted(adding.items()):
        budget = budgets.get((programme, year))
        if budget is None:
            continue
        committed = LedgerEntry.objects.filter(programme=budget.programme, year=year,
                                               kind=LedgerEntry.Kind.COMMITTED).aggregate(t=Sum("amount"))["t"] or ZERO
        if committed + amount > budget.amount:
            exceeded.append(f"{budget.programme.name} {year}年度预算 {yuan(budget.amount)}，已承诺 {yuan(committed)}，"
                            f"本次 {yuan(amount)}，超出 {yuan(committed + amount - budget.amount)}")
    return exceeded


def _commit(application: Application, decided: list[dict], reviewer, reason: str) -> None:
    rules = {r.rule_id: r for r in Rule.objects.filter(rule_id__in=[a["rule"] for a in decided])}
    programmes = {p.code: p for p in Programme.objects.filter(code__in=[a["programme"] for a in decided])}
    for award in decided:
        amount = Decimal(award["amount"])
        for i, (year, share) in enumerate(_split(amount, award["instalments"])):
            LedgerEntry.objects.create(
                programme=programmes[award["programme"]], year=year, rule=rules[award["rule"]],
                organisation_id=application.organisation_id, beneficiary_name=award["beneficiary"]["name"],
                project=award["project"], base_amount=Decimal(award["base"] or 0) if i == 0 else ZERO,
                amount=share, kind=LedgerEntry.Kind.COMMITTED, application=application, created_by=reviewer,
                note=reason,
            )


def payable_years(application: Application) -> list[int]:
    """Years with committed entries not yet paid."""
    entries = application.ledger_entries.all()
    committed = {e.year for e in entries if e.kind == LedgerEntry.Kind.COMMITTED}
    paid = {e.year for e in entries if e.kind == LedgerEntry.Kind.PAID}
    return sorted(committed - paid)


@transaction.atomic
def record_payment(application: Application, reviewer, year: int) -> list[LedgerEntry]:
    """The year's commitments of a granted application, recorded as paid."""
    if not can_review(reviewer):
        raise ApplicationError("只有省科技厅审核人员可以登记拨付。")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_granted or year not in payable_years(application):
        raise ApplicationError(f"{year}年度没有待拨付的核准金额。")
    paid = []
    for entry in application.ledger_entries.filter(kind=LedgerEntry.Kind.COMMITTED, year=year):
        paid.append(LedgerEntry.objects.create(
            programme=entry.programme, year=year, rule=entry.rule, organisation=entry.organisation,
            beneficiary_name=entry.beneficiary_name, project=entry.project, amount=entry.amount,
            kind=LedgerEntry.Kind.PAID, application=application, created_by=reviewer, note="登记拨付",
        ))
    total = sum((e.amount for e in paid), ZERO)
    audit.log_action(application, ApplicationAction.PAID, reviewer, data={"year": year, "total": str(total)})
    return paid
