"""Technology contract registration (技术合同认定登记): which step may follow which, who may take it, duplicates,
registration numbers and deadlines. Sources of the rules: data/market/registration.yaml; docs/market.md.

submitted → accepted (受理) → registered (准予登记, number and certificate) | refused (未予登记, with reasons)
refused → reconsideration (复议, once, within 60 days) → registered (overturned) | refused (upheld)
registered / changed → changed (变更登记) | cancelled (注销登记: 解除, 撤销 or 宣布无效), at the same registry
submitted / accepted → withdrawn (by the registering party)

The registering party's verified members apply, request reconsideration and withdraw; staff of the registry the
application went to accept, decide, register changes and cancel; the provincial registry's staff decide
reconsiderations. Every step is logged (common.audit) with who, when and why; a forbidden step raises
TransitionError (or MarketPermissionError) with a Chinese message and changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from techmarket.common import audit
from techmarket.common.permissions import allowed
from techmarket.market.models import Attachment, Contract, Location, Registration, RegistrationAction, Registry
from techmarket.market.services import contracts, sides
from techmarket.market.services.blockers import registration_blocked
from techmarket.market.services.contracts import ACTIVE_REGISTRATION, EFFECTIVE_REGISTRATION
from techmarket.market.services.errors import AlreadyDone, MarketError, MarketPermissionError, TransitionError
from techmarket.market.services.registries import can_oversee, registries_for_party, staff_registry
from techmarket.market.services.rules import rules
from techmarket.market.signals import announce_registration

S = Registration.Status
A = RegistrationAction
PENDING = (S.SUBMITTED, S.ACCEPTED, S.RECONSIDERATION)  # a decision is due
PARTY, STAFF, PROVINCIAL_STAFF = "party", "staff", "provincial-staff"

# action → (the statuses it may follow, the status it leads to, who takes it)
STEPS = {
    A.ACCEPT: ({S.SUBMITTED}, S.ACCEPTED, STAFF),
    A.REGISTER: ({S.ACCEPTED}, S.REGISTERED, STAFF),
    A.REFUSE: ({S.SUBMITTED, S.ACCEPTED}, S.REFUSED, STAFF),
    A.REQUEST_RECONSIDERATION: ({S.REFUSED}, S.RECONSIDERATION, PARTY),
    A.OVERTURN: ({S.RECONSIDERATION}, S.REGISTERED, PROVINCIAL_STAFF),
    A.UPHOLD: ({S.RECONSIDERATION}, S.REFUSED, PROVINCIAL_STAFF),
    A.CHANGE: ({S.REGISTERED, S.CHANGED}, S.CHANGED, STAFF),
    A.CANCEL: ({S.REGISTERED, S.CHANGED}, S.CANCELLED, STAFF),
    A.WITHDRAW: ({S.SUBMITTED, S.ACCEPTED}, S.WITHDRAWN, PARTY),
}
DECISIONS = {A.REGISTER, A.REFUSE, A.OVERTURN, A.UPHOLD}
REASON_REQUIRED = {A.REFUSE, A.REQUEST_RECONSIDERATION, A.OVERTURN, A.UPHOLD, A.CHANGE, A.CANCEL, A.WITHDRAW}
REASON_PROMPTS = {
    A.REFUSE: "请填写未予登记的理由。",
    A.REQUEST_RECONSIDERATION: "请填写申请复议的理由。",
    A.OVERTURN: "请填写复议决定的理由。",
    A.UPHOLD: "请填写复议决定的理由。",
    A.CHANGE: "请填写变更内容及依据。",
    A.CANCEL: "请填写注销的原因及依据。",
    A.WITHDRAW: "请填写撤回原因。",
}


# ---------------------------------------------------------------------------------------------------------------
# Dates


def today() -> datetime.date:
    return timezone.localdate()


def decision_due(received_on: datetime.date) -> datetime.date:
    """The last day for a decision: 30 days from receipt (青海省技术市场管理办法 第十四条)."""
    return received_on + datetime.timedelta(days=rules().decision_days)


def is_overdue(registration: Registration, on: datetime.date | None = None) -> bool:
    return registration.status in PENDING and (on or today()) > registration.due_on


def days_left(registration: Registration, on: datetime.date | None = None) -> int | None:
    """Days until the decision is due (negative when overdue); None when no decision is pending."""
    if registration.status not in PENDING:
        return None
    return (registration.due_on - (on or today())).days


# ---------------------------------------------------------------------------------------------------------------
# Who may take a step


def _is_registering_member(user, registration: Registration) -> bool:
    return bool(user and user.is_authenticated and user.can_submit_listings
                and user.organisation_id == registration.organisation_id)


def _check_actor(user, registration: Registration, who: str) -> None:
    if who == PARTY:
        if not _is_registering_member(user, registration):
            raise MarketPermissionError(f"只有登记方（{registration.organisation.name}）的已核验成员可以办理此事项。")
        return
    registry = staff_registry(user)
    if who == PROVINCIAL_STAFF:
        if registry is None or not registry.is_provincial:
            raise MarketPermissionError("复议由省级技术合同登记机构的登记人员决定。")
        return
    if registry is None or registry.pk != registration.registry_id:
        raise MarketPermissionError(f"只有{registration.registry.name}的登记人员可以办理此登记。")


def check_step(user, registration: Registration, action: str) -> None:
    """Raise when the rules forbid `user` to take `action` now (reasons and amounts aside)."""
    if action not in STEPS:
        raise TransitionError("未知的操作。")
    from_statuses, _, who = STEPS[action]
    if registration.status not in from_statuses:
        raise TransitionError(f"“{registration.get_status_display()}”的登记申请不能{A(action).label}。")
    _check_actor(user, registration, who)
    if action == A.REQUEST_RECONSIDERATION:
        if registration.reconsidered:
            raise TransitionError("该登记申请已经复议，复议决定为最终结论，不能再次申请复议。")
        limit = rules().reconsideration_request_days
        if registration.decided_at and today() > timezone.localdate(registration.decided_at) + datetime.timedelta(
                days=limit):
            raise TransitionError(f"申请复议须在收到未予登记结论之日起 {limit} 日内提出，已超过期限。")
        other = contracts.active_registration(registration.contract)
        if other is not None:
            raise TransitionError(f"本合同已另行申请登记（{_describe(other)}），不能再对原结论申请复议。")
        if registration.decided_at and registration.contract.updated_at > registration.decided_at:
            raise TransitionError("合同在未予登记后已经修改，复议只针对原申请的内容；请就修改后的合同重新申请登记。")


def available_actions(user, registration: Registration) -> list[str]:
    result = []
    for action in STEPS:
        try:
            check_step(user, registration, action)
        except MarketError:
            continue
        result.append(action)
    return result


def can_view(user, registration: Registration) -> bool:
    return allowed(user, "market.view_registration", registration)


# ---------------------------------------------------------------------------------------------------------------
# Duplicates


def _describe(registration: Registration) -> str:
    when = timezone.localdate(registration.submitted_at).isoformat()
    if registration.status in EFFECTIVE_REGISTRATION and registration.registered_on:
        when_text = f"{registration.registered_on.isoformat()}登记"
    else:
        when_text = f"{when}申请，{registration.get_status_display()}"
    return (f"{registration.registry.name}{registration.label}（合同“{registration.contract.title}”，{when_text}）")


def _submitted_texts(registration: Registration) -> set[str]:
    """The sha256 of the contract texts a registration was applied with (kept at submission); for a registration
    that kept none, its contract's texts in force (frozen while the registration is active)."""
    if registration.document_sha256:
        return set(registration.document_sha256)
    return set(contracts.contract_texts(registration.contract).values_list("sha256", flat=True))


def find_duplicates(contract: Contract, exclude: Registration | None = None,
                    statuses=ACTIVE_REGISTRATION) -> list[tuple[Registration, str]]:
    """Registrations (in `statuses`) that register the same contract as `contract`: the contract itself, one with the
    same parties, total amount and signing date, or another contract's registration applied with the same contract
    text (sha256) as one of this contract's texts in force. A document this contract withdrew (a wrong upload) is
    not its text, and another contract's document counts only if its registration was applied with it."""
    found: dict[int, tuple[Registration, str]] = {}
    base = Registration.objects.filter(status__in=statuses).select_related("registry", "contract")
    if exclude is not None:
        base = base.exclude(pk=exclude.pk)
    for registration in base.filter(contract=contract):
        found.setdefault(registration.pk, (registration, "为同一份合同"))
    organisations = {p.organisation_id for p in contract.parties.all()}
    for registration in base.filter(contract__total_amount=contract.total_amount,
                                    contract__signed_on=contract.signed_on).exclude(contract=contract):
        other = {p.organisation_id for p in registration.contract.parties.all()}
        if other == organisations:
            found.setdefault(registration.pk, (registration, "的当事人、合同总额和签订日期均相同"))
    hashes = set(contracts.contract_texts(contract).values_list("sha256", flat=True))
    if hashes:
        # Candidates: other contracts that ever held one of these texts; each counts when its registration was
        # applied with it.
        same_text = Attachment.objects.filter(kind=Attachment.Kind.CONTRACT_TEXT, sha256__in=hashes,
                                              contract__isnull=False).exclude(contract=contract)
        for registration in base.filter(contract_id__in=same_text.values("contract_id")).exclude(contract=contract):
            if _submitted_texts(registration) & hashes:
                found.setdefault(registration.pk, (registration, "的合同文本完全相同"))
    return sorted(found.values(), key=lambda item: item[0].submitted_at)


def check_not_duplicate(contract: Contract, exclude: Registration | None = None,
                        statuses=ACTIVE_REGISTRATION) -> None:
    duplicates = find_duplicates(contract, exclude, statuses)
    if duplicates:
        earlier, why = duplicates[0]
        raise TransitionError(f"重复登记：本合同与{_describe(earlier)}{why}。技术合同按地域一次登记，不得重复登记。")


# ---------------------------------------------------------------------------------------------------------------
# Steps


def _snapshot(contract: Contract) -> dict:
    r = rules()
    return {
        "title": contract.title,
        "contract_type": contract.contract_type,
        "contract_type_name": r.type_name(contract.contract_type),
        "signed_on": contract.signed_on.isoformat(),
        "total_amount": str(contract.total_amount),
        "technology_amount": str(contract.technology_amount),
        "made_on_platform": contract.made_on_platform,
        "parties": [{"organisation_id": p.organisation_id, "name": p.organisation.name, "role": p.role,
                     "role_name": r.role_name(contract.contract_type, p.role), "location": p.location,
                     "region_code": p.region_code, "registering": p.is_registering_party}
                    for p in contract.parties.select_related("organisation")],
    }


def _event(registration: Registration, action: str, from_status: str, user, reason: str = "", **detail):
    if (from_status in EFFECTIVE_REGISTRATION) != (registration.status in EFFECTIVE_REGISTRATION) or \
            action == A.CHANGE:
        announce_registration(registration, action)  # other apps count registered contracts (market/signals.py)
    return audit.log_action(registration, action, user if user and user.is_authenticated else None,
                            from_value=from_status, to_value=registration.status, reason=reason, data=detail)


@transaction.atomic
def submit(user, contract: Contract, registry: Registry, external_registry: str = "",
           external_number: str = "") -> Registration:
    """The registering party applies to a registry of its locality. A party outside Qinghai records the
    registration it made at its own locality's registry, for the provincial registry to verify."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    party = contracts.party_for(user, contract)
    if party is None:
        raise MarketPermissionError("只有合同当事人单位的已核验成员可以申请登记。")
    contract_type = rules().type(contract.contract_type)
    registering = sides.registering_party(contract)
    if (not party.is_registering_party or registering is None
            or registering.role != contract_type.registering_role):
        raise MarketPermissionError(
            f"{contract_type.name}由{contract_type.registering_role_name}申请登记；"
            f"贵单位在本合同中为{rules().role_name(contract.contract_type, party.role)}，不能申请登记。")
    _check_not_submitted(contract, registry)
    check_not_duplicate(contract)
    blocked = registration_blocked(contract)
    if blocked:
        raise TransitionError(blocked)
    if not contracts.contract_texts(contract).exists():
        raise TransitionError("请先上传合同文本（书面合同，青海省技术市场管理办法第十二条）。")
    allowed = registries_for_party(party)
    if registry.pk not in {r.pk for r in allowed}:
        raise TransitionError(f"登记方“{party.organisation.name}”应向所在地区的登记机构申请登记"
                              f"（{'、'.join(r.name for r in allowed)}），不能向{registry.name}申请。")
    external = party.location != Location.QINGHAI
    external_registry, external_number = external_registry.strip(), external_number.strip()
    contracts.check_text(external_registry, "省外登记机构", single_line=True)
    contracts.check_text(external_number, "省外登记号", single_line=True)
    if external and not (external_registry and external_number):
        raise TransitionError("登记方位于省外或境外，应在其所在地区的登记机构登记；请填写该登记机构名称和登记号，"
                              "由省级登记机构核实后记入本平台。")
    if external and Registration.objects.filter(external=True, external_number=external_number).exclude(
            status__in=(S.REFUSED, S.WITHDRAWN, S.CANCELLED)).exists():
        raise TransitionError(f"省外登记号 {external_number} 已经记入本平台，不得重复登记。")
    received_on = today()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                contract=contract, registry=registry, party=party, organisation_id=party.organisation_id,
                applicant=user, external=external, external_registry=external_registry if external else "",
                external_number=external_number if external else "", received_on=received_on,
                due_on=decision_due(received_on),
                document_sha256=sorted(contracts.contract_texts(contract).values_list("sha256", flat=True)),
                snapshot=_snapshot(contract),
            )
    except IntegrityError:  # a concurrent application for the contract committed first
        _check_not_submitted(contract, registry)
        check_not_duplicate(contract)
        raise
    _event(registration, A.SUBMIT, "", user, due_on=registration.due_on.isoformat())
    return registration


class AlreadySubmitted(AlreadyDone, TransitionError):
    """The application was already made (a double submission); `existing` is it."""


def _check_not_submitted(contract: Contract, registry: Registry) -> None:
    """The same application made twice (a double submission): the pending one at the same registry."""
    existing = Registration.objects.filter(contract=contract, registry=registry,
                                           status__in=(S.SUBMITTED, S.ACCEPTED)).first()
    if existing is not None:
        raise AlreadySubmitted(f"本合同已向{registry.name}提交登记申请（{existing.label}），未重复提交。", existing)


def _locked(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("registry", "contract", "organisation").get(
        pk=registration.pk)


def _decide(registration: Registration, user) -> None:
    now = timezone.now()
    registration.decided_at, registration.decided_by = now, user
    registration.decided_late = timezone.localdate(now) > registration.due_on


def _step(user, registration: Registration, action: str, reason: str = "") -> tuple[Registration, str]:
    registration = _locked(registration)
    check_step(user, registration, action)
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise TransitionError(REASON_PROMPTS[action])
    return registration, registration.status


@transaction.atomic
def accept(user, registration: Registration, note: str = "") -> Registration:
    registration, from_status = _step(user, registration, A.ACCEPT, note)
    registration.status = S.ACCEPTED
    registration.accepted_at = timezone.now()
    registration.save()
    _event(registration, A.ACCEPT, from_status, user, note.strip())
    return registration


def _allocate_number(registration: Registration) -> None:
    """63 + the registry's two digits + the year + a four-digit serial of the registry's year (docs/market.md)."""
    registry = Registry.objects.select_for_update().get(pk=registration.registry_id)
    year = today().year
    last = Registration.objects.filter(registry=registry, year=year).aggregate(last=Max("serial"))["last"] or 0
    registration.year, registration.serial = year, last + 1
    registration.number = f"63{registry.number_code}{year}{last + 1:04d}"


def _make_registered(registration: Registration, user, technology_amount: Decimal | None) -> None:
    contract = registration.contract
    check_not_duplicate(contract, exclude=registration, statuses=EFFECTIVE_REGISTRATION)
    if contracts.active_registration(contract) not in (None, registration):
        other = contracts.active_registration(contract)
        raise TransitionError(f"重复登记：本合同已有{_describe(other)}。技术合同按地域一次登记，不得重复登记。")
    amount = contract.technology_amount if technology_amount is None else technology_amount
    contracts.check_money(amount, "认定技术交易额")
    if amount < 0 or amount > contract.total_amount:
        raise TransitionError("认定的技术交易额须在零与合同总额之间。")
    registration.technology_amount = amount
    registration.status = S.REGISTERED
    registration.registered_on = today()
    if not registration.external:
        _allocate_number(registration)


@transaction.atomic
def register(user, registration: Registration, technology_amount: Decimal | None = None,
             note: str = "") -> Registration:
    """准予登记: the number is allocated and the certificate can be issued. The registry certifies the technology
    transaction amount (the contract's, unless it finds non-technical parts in it)."""
    registration, from_status = _step(user, registration, A.REGISTER, note)
    _make_registered(registration, user, technology_amount)
    _decide(registration, user)
    registration.save()
    _event(registration, A.REGISTER, from_status, user, note.strip(), number=registration.number or "",
           technology_amount=str(registration.technology_amount))
    return registration


@transaction.atomic
def refuse(user, registration: Registration, reasons: str) -> Registration:
    """未予登记, with the reasons the parties read."""
    registration, from_status = _step(user, registration, A.REFUSE, reasons)
    registration.status = S.REFUSED
    registration.reasons = reasons.strip()
    _decide(registration, user)
    registration.save()
    _event(registration, A.REFUSE, from_status, user, reasons.strip())
    return registration


@transaction.atomic
def request_reconsideration(user, registration: Registration, reason: str) -> Registration:
    registration, from_status = _step(user, registration, A.REQUEST_RECONSIDERATION, reason)
    now = timezone.now()
    registration.status = S.RECONSIDERATION
    registration.reconsideration_requested_at = now
    registration.reconsideration_reason = reason.strip()
    registration.due_on = timezone.localdate(now) + datetime.timedelta(days=rules().reconsideration_decision_days)
    registration.save()
    _event(registration, A.REQUEST_RECONSIDERATION, from_status, user, reason.strip(),
           due_on=registration.due_on.isoformat())
    return registration


@transaction.atomic
def decide_reconsideration(user, registration: Registration, overturn: bool, reason: str,
                           technology_amount: Decimal | None = None) -> Registration:
    """The provincial registry decides: overturn (the contract is registered) or uphold the refusal. Final."""
    action = A.OVERTURN if overturn else A.UPHOLD
    registration, from_status = _step(user, registration, action, reason)
    if overturn:
        _make_registered(registration, user, technology_amount)
    else:
        registration.status = S.REFUSED
    registration.reconsidered = True
    _decide(registration, user)
    registration.save()
    _event(registration, action, from_status, user, reason.strip(), number=registration.number or "")
    return registration


@transaction.atomic
def register_change(user, registration: Registration, reason: str, total_amount: Decimal | None = None,
                    technology_amount: Decimal | None = None, title: str = "") -> Registration:
    """变更登记 at the original registry: the changed terms are written to the contract; the old ones are kept in
    the event."""
    registration, from_status = _step(user, registration, A.CHANGE, reason)
    contract = Contract.objects.select_for_update().get(pk=registration.contract_id)
    before = {"title": contract.title, "total_amount": str(contract.total_amount),
              "technology_amount": str(registration.technology_amount)}
    new_total = contract.total_amount if total_amount is None else total_amount
    new_technology = registration.technology_amount if technology_amount is None else technology_amount
    if new_total <= 0:
        raise TransitionError("合同总额须大于零。")
    contracts.check_money(new_total, "变更后的合同总额")
    contracts.check_money(new_technology, "变更后的技术交易额")
    title = title.strip()
    if len(title) > 300:
        raise TransitionError("合同名称不能超过 300 字。")
    contracts.check_text(title, "变更后的合同名称", single_line=True)
    if new_technology < 0 or new_technology > new_total:
        raise TransitionError("技术交易额不能大于合同总额，也不能为负数。")
    contract.title = title.strip() or contract.title
    contract.total_amount = new_total
    contract.technology_amount = new_technology
    contract.save()
    registration.technology_amount = new_technology
    registration.status = S.CHANGED
    registration.save()
    after = {"title": contract.title, "total_amount": str(new_total), "technology_amount": str(new_technology)}
    _event(registration, A.CHANGE, from_status, user, reason.strip(), before=before, after=after)
    return registration


@transaction.atomic
def cancel(user, registration: Registration, kind: str, reason: str) -> Registration:
    """注销登记 at the original registry, when the contract is terminated (解除), revoked (撤销) or declared void
    (宣布无效)."""
    registration, from_status = _step(user, registration, A.CANCEL, reason)
    if kind not in Registration.CancelKind.values:
        raise TransitionError("请选择注销原因：解除、撤销或宣布无效。")
    registration.status = S.CANCELLED
    registration.cancel_kind = kind
    registration.closed_at = timezone.now()
    registration.save()
    _event(registration, A.CANCEL, from_status, user, reason.strip(), kind=kind)
    return registration


@transaction.atomic
def withdraw(user, registration: Registration, reason: str) -> Registration:
    registration, from_status = _step(user, registration, A.WITHDRAW, reason)
    registration.status = S.WITHDRAWN
    registration.closed_at = timezone.now()
    registration.save()
    _event(registration, A.WITHDRAW, from_status, user, reason.strip())
    return registration


# ---------------------------------------------------------------------------------------------------------------
# Queues and reports


def with_relations(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    return qs.select_related("registry", "contract", "organisation").prefetch_related(
        "contract__parties__organisation")


def staff_queue(user, include_decided: bool = False) -> QuerySet[Registration]:
    """A registry's applications by deadline: its own pending ones, and for the provincial registry the
    reconsiderations. Administrators see every registry's."""
    qs = Registration.objects.all()
    if not can_oversee(user):
        registry = staff_registry(user)
        if registry is None:
            return Registration.objects.none()
        q = Q(registry=registry)
        if registry.is_provincial:
            q |= Q(status=S.RECONSIDERATION)
        qs = qs.filter(q)
    if not include_decided:
        qs = qs.filter(status__in=PENDING)
    return with_relations(qs).order_by("due_on", "submitted_at", "id")


def overdue(on: datetime.date | None = None) -> QuerySet[Registration]:
    """Pending applications whose decision date has passed."""
    return with_relations(Registration.objects.filter(status__in=PENDING, due_on__lt=on or today())).order_by(
        "due_on", "id")


def decided_late() -> QuerySet[Registration]:
    return with_relations(Registration.objects.filter(decided_late=True)).order_by("-decided_at")


def party_registrations(user) -> QuerySet[Registration]:
    if not (user and user.is_authenticated and user.can_submit_listings):
        return Registration.objects.none()
    return with_relations(Registration.objects.filter(
        contract__parties__organisation_id=user.organisation_id).distinct()).order_by("-submitted_at")


def visible_registrations(user) -> QuerySet[Registration]:
    if can_oversee(user):
        return Registration.objects.all()
    q = Q(pk__in=[])
    if user and user.is_authenticated and user.can_submit_listings:
        q |= Q(contract__parties__organisation_id=user.organisation_id)
    registry = staff_registry(user)
    if registry is not None:
        q |= Q(registry=registry)
        if registry.is_provincial:
            q |= Q(reconsideration_requested_at__isnull=False)
    return Registration.objects.filter(q).distinct()


def has_certificate(registration: Registration) -> bool:
    return registration.status in EFFECTIVE_REGISTRATION and bool(registration.number)
