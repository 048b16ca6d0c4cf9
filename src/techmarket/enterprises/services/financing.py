"""Financing needs (docs/enterprises.md, "Financing needs").

An enterprise posts a loan or equity need and chooses which financial institutions may see it with its figures
(innovation points, check-up figures). A financial institution records its products; it sees the shared needs that
match one of them, responds, and records the outcome (amount, rate, term, date). Institutions the enterprise did not
choose see aggregates only (how many open needs match their products, and their total, when at least five). A
granted loan that turns bad is recorded with its unpaid principal: the fact of a 青信融 risk-compensation claim,
computed by the policy engine's rule `oc2025-14-loan-risk-compensation` (enterprises/policy_facts.py).

Every step is one transaction, audited on the need (`FinancingAction`); the other side is notified.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from techmarket.common.audit import log_action
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused, checked_model
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed, require
from techmarket.directory.models import Organisation
from techmarket.enterprises.models import (
    MAX_RATE,
    BadLoan,
    EnterpriseSize,
    FinancialProduct,
    FinancingAction,
    FinancingKind,
    FinancingNeed,
    FinancingResponse,
    Security,
)

A = FinancingAction
NOT_ENTERPRISE = "只有经核验的企业成员可以发布融资需求。"
NOT_INSTITUTION = "只有经核验的金融机构成员可以登记金融产品和回应融资需求。"
NOT_SHARED = "该企业没有向本机构开放此项融资需求。"
MIN_AGGREGATE = 5  # fewer needs than this are not summed up for institutions the enterprises did not choose


def _members(organisation_id: int):
    return get_user_model().objects.filter(is_active=True, is_verified=True, organisation_id=organisation_id)


def institutions() -> list[Organisation]:
    """The financial institutions an enterprise may share a need with."""
    return list(Organisation.objects.filter(kind=Organisation.Kind.FINANCIAL_INSTITUTION).order_by("name"))


def _field_codes() -> dict[str, str]:
    from techmarket.enterprises.services.questionnaire import field_choices

    return field_choices()


# Products.

@dataclass
class ProductInput:
    name: str
    kind: str
    min_amount: Decimal
    max_amount: Decimal
    max_term_months: int
    fields: list[str] = field(default_factory=list)
    securities: list[str] = field(default_factory=list)


@transaction.atomic
def add_product(user, data: ProductInput) -> FinancialProduct:
    """A product of the user's financial institution; the same name again returns the product already recorded."""
    require(user, "enterprises.lend", message=NOT_INSTITUTION)
    codes = _field_codes()
    if any(code not in codes for code in data.fields):
        raise InvalidInput("请从列表中选择支持的领域。")
    if any(code not in Security.values for code in data.securities):
        raise InvalidInput("请从列表中选择接受的担保方式。")
    if data.min_amount is not None and data.max_amount is not None and data.min_amount > data.max_amount:
        raise InvalidInput("最低金额不能高于最高金额。")
    product = FinancialProduct(institution_id=user.organisation_id, name=(data.name or "").strip(), kind=data.kind,
                               min_amount=data.min_amount, max_amount=data.max_amount,
                               max_term_months=data.max_term_months, fields=sorted(set(data.fields)),
                               securities=sorted(set(data.securities)))
    checked_model(product, exclude=["institution"])
    Organisation.objects.select_for_update().get(pk=user.organisation_id)
    existing = FinancialProduct.objects.filter(institution_id=user.organisation_id, name=product.name).first()
    if existing is not None:
        return existing
    product.save()
    return product


def products_of(organisation_id: int) -> list[FinancialProduct]:
    return list(FinancialProduct.objects.filter(institution_id=organisation_id, active=True))


def matches(product: FinancialProduct, need: FinancingNeed) -> bool:
    """Whether a need fits a product: same kind, amount within its range, term within its longest, its field and
    security among those the product takes (an empty list takes any)."""
    return (product.active and product.kind == need.kind and product.min_amount <= need.amount <= product.max_amount
            and need.term_months <= product.max_term_months
            and (not product.fields or need.field in product.fields)
            and (not product.securities or need.security in product.securities))


# Needs.

@dataclass
class NeedInput:
    kind: str
    amount: Decimal
    use: str
    term_months: int
    security: str
    field: str
    size: str
    security_note: str = ""
    share_with: list[int] = field(default_factory=list)


def post_need(user, data: NeedInput) -> FinancingNeed:
    """Post a need of the user's enterprise. An enterprise has at most one open need of each kind: posting the same
    need again (a double submission) returns it; a different one is refused until the open one is closed."""
    require(user, "enterprises.post_need", message=NOT_ENTERPRISE)
    if data.field not in _field_codes():
        raise InvalidInput("请选择所属领域。")
    if data.amount is None or data.amount <= 0:
        raise InvalidInput("需求金额须大于 0。")
    if data.kind == FinancingKind.EQUITY:
        data.security = Security.NONE
    elif data.security == Security.NONE:
        raise InvalidInput("贷款需求请选择担保方式（信用、抵押、知识产权质押或担保）。")
    need = FinancingNeed(organisation_id=user.organisation_id, kind=data.kind, amount=data.amount,
                         use=(data.use or "").strip(), term_months=data.term_months, security=data.security,
                         security_note=(data.security_note or "").strip(), field=data.field, size=data.size,
                         created_by=user)
    checked_model(need, exclude=["organisation", "created_by", "shared_with"])
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().get(pk=user.organisation_id)
            existing = FinancingNeed.objects.filter(organisation_id=user.organisation_id, kind=data.kind,
                                                    status=FinancingNeed.Status.OPEN).first()
            if existing is not None:
                if (existing.amount, existing.use, existing.term_months) == (need.amount, need.use,
                                                                             need.term_months):
                    return existing
                raise Conflict(f"本企业已有一项征集中的{existing.get_kind_display()}需求，请先关闭后再发布新的需求。")
            need.save()
            log_action(need, A.POST, user, data={"amount": str(need.amount), "kind": need.kind})
            if data.share_with:
                _share(user, need, data.share_with)
    except IntegrityError:
        existing = FinancingNeed.objects.filter(organisation_id=user.organisation_id, kind=data.kind,
                                                status=FinancingNeed.Status.OPEN).first()
        if existing is None:
            raise Refused("发布未完成，请重试。") from None
        return existing
    return need


def _share(user, need: FinancingNeed, institution_ids: list[int]) -> None:
    wanted = set(Organisation.objects.filter(pk__in=institution_ids, kind=Organisation.Kind.FINANCIAL_INSTITUTION)
                 .values_list("pk", flat=True))
    if len(wanted) != len(set(institution_ids)):
        raise InvalidInput("请从列表中选择金融机构。")
    current = set(need.shared_with.values_list("pk", flat=True))
    added, removed = wanted - current, current - wanted
    if added:
        need.shared_with.add(*added)
    if removed:
        need.shared_with.remove(*removed)
    names = dict(Organisation.objects.filter(pk__in=added | removed).values_list("pk", "name"))
    for pk in sorted(added):
        log_action(need, A.SHARE, user, to_value=names[pk])
        notify(_members(pk), "enterprises.need-shared",
               f"{need.organisation.name}向贵机构开放了{need.get_kind_display()}需求",
               f"需求金额 {need.amount:,.2f} 元，期限 {need.term_months} 个月。", need.get_absolute_url())
    for pk in sorted(removed):
        log_action(need, A.UNSHARE, user, from_value=names[pk])


@transaction.atomic
def share(user, need: FinancingNeed, institution_ids: list[int]) -> FinancingNeed:
    """Set the financial institutions that may see the need and the enterprise's figures (the others see
    aggregates only). Institutions that already responded keep their response, but lose sight of the figures."""
    require(user, "enterprises.manage_need", need, hide=True)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    _share(user, need, institution_ids)
    return need


@transaction.atomic
def close(user, need: FinancingNeed) -> FinancingNeed:
    require(user, "enterprises.manage_need", need, hide=True)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    if need.status == FinancingNeed.Status.OPEN:
        need.status = FinancingNeed.Status.CLOSED
        need.save(update_fields=["status"])
        log_action(need, A.CLOSE, user)
    return need


def needs_of(user) -> list[FinancingNeed]:
    if not (user.is_authenticated and user.organisation_id):
        return []
    return list(FinancingNeed.objects.filter(organisation_id=user.organisation_id)
                .prefetch_related("responses__institution", "shared_with"))


def need_for(user, pk: int) -> FinancingNeed:
    """The need, for a user who may see it (404 for anyone else: its existence is the enterprise's business)."""
    need = FinancingNeed.objects.select_related("organisation").filter(pk=pk).first()
    if need is None or not allowed(user, "enterprises.view_need", need):
        raise NotFound()
    return need


@dataclass
class Figures:
    """What a chosen institution (and the department) sees of the enterprise besides the need."""

    score: Decimal
    score_lines: list
    checkup_date: datetime.date | None
    revenue_wan: str
    rd_intensity: str
    invention_patents: str


def figures(need: FinancingNeed) -> Figures:
    from techmarket.enterprises.services import points

    facts, _ = points.facts_of(need.organisation)
    total, lines = points.compute(facts)
    latest = need.organisation.checkups.order_by("-completed_at", "-id").first()

    def text(code: str, unit: str) -> str:
        value = facts.get(code)
        return "—" if value is None else f"{value.normalize():f}{unit}"

    return Figures(total, lines, latest.completed_at.date() if latest else None, text("revenue_wan", " 万元"),
                   text("rd_intensity", "%"), text("invention_patents", " 件"))


@dataclass
class Desk:
    """A financial institution's view: its products, the shared needs matching them, the others as aggregates."""

    products: list[FinancialProduct]
    matched: list[tuple[FinancingNeed, list[FinancialProduct]]]
    others_count: int  # open matching needs not shared with the institution
    others_total: Decimal | None  # their total amount, only when at least MIN_AGGREGATE


def desk(user) -> Desk:
    require(user, "enterprises.lend", message=NOT_INSTITUTION)
    products = products_of(user.organisation_id)
    matched, others = [], []
    shared = set(FinancingNeed.objects.filter(shared_with=user.organisation_id).values_list("pk", flat=True))
    for need in FinancingNeed.objects.filter(status=FinancingNeed.Status.OPEN).select_related("organisation"):
        fitting = [p for p in products if matches(p, need)]
        if not fitting:
            continue
        (matched if need.pk in shared else others).append((need, fitting))
    # Needs shared with the institution that it already answered stay on the desk after they close.
    answered = (FinancingNeed.objects.filter(responses__institution_id=user.organisation_id,
                                             shared_with=user.organisation_id)
                .exclude(status=FinancingNeed.Status.OPEN).select_related("organisation"))
    matched += [(need, []) for need in answered]
    total = sum((n.amount for n, _ in others), Decimal("0")) if len(others) >= MIN_AGGREGATE else None
    return Desk(products, matched, len(others), total)


def aggregates() -> dict:
    """Open needs in figures only (what anyone may see): count and total amount by kind."""
    rows = (FinancingNeed.objects.filter(status=FinancingNeed.Status.OPEN).values("kind")
            .annotate(total=Sum("amount")))
    counts = {k: FinancingNeed.objects.filter(status=FinancingNeed.Status.OPEN, kind=k).count()
              for k in FinancingKind.values}
    return {row["kind"]: (counts[row["kind"]], row["total"]) for row in rows
            if counts[row["kind"]] >= MIN_AGGREGATE}


# Responses and outcomes.

def response_of(user, need: FinancingNeed) -> FinancingResponse | None:
    if not (user.is_authenticated and user.organisation_id):
        return None
    return need.responses.filter(institution_id=user.organisation_id).first()


@transaction.atomic
def respond(user, need: FinancingNeed, status: str, product_id: int | None = None,
            message: str = "") -> FinancingResponse:
    """The institution's answer (有意向 or 暂不支持); answering again changes it, until the outcome is recorded."""
    require(user, "enterprises.respond_need", need, message=NOT_SHARED, hide=True)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    if need.status != FinancingNeed.Status.OPEN:
        raise Refused("该融资需求已不在征集中。")
    if status not in (FinancingResponse.Status.INTERESTED, FinancingResponse.Status.DECLINED):
        raise InvalidInput("请选择回应：有意向或暂不支持。")
    product = None
    if product_id:
        product = FinancialProduct.objects.filter(pk=product_id, institution_id=user.organisation_id).first()
        if product is None:
            raise InvalidInput("请选择本机构的产品。")
    response, _ = FinancingResponse.objects.get_or_create(
        need=need, institution_id=user.organisation_id,
        defaults={"status": status, "responded_by": user})
    if response.status == FinancingResponse.Status.GRANTED:
        raise Refused("已记录放款结果，不能再更改回应。")
    response.status, response.product, response.message = status, product, (message or "").strip()
    response.responded_by = user
    checked_model(response, exclude=["need", "institution", "product", "responded_by"])
    response.save()
    log_action(need, A.RESPOND, user, to_value=response.get_status_display(),
               data={"institution": user.organisation.name})
    notify(_members(need.organisation_id), "enterprises.need-progress",
           f"{user.organisation.name}回应了贵企业的{need.get_kind_display()}需求：{response.get_status_display()}",
           response.message, need.get_absolute_url())
    return response


@dataclass
class OutcomeInput:
    amount: Decimal
    rate: Decimal | None
    term_months: int
    granted_on: datetime.date


@transaction.atomic
def record_outcome(user, need: FinancingNeed, data: OutcomeInput) -> FinancingResponse:
    """The institution lent or invested: amount, rate (loans), term and date. The need becomes 已获融资. Recording
    the same outcome again returns it; a different one is refused (the record is kept as first made)."""
    require(user, "enterprises.respond_need", need, message=NOT_SHARED, hide=True)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    response = need.responses.filter(institution_id=user.organisation_id).first()
    if response is None or response.status == FinancingResponse.Status.DECLINED:
        raise Refused("请先回应“有意向”，再记录放款或投资结果。")
    if response.status == FinancingResponse.Status.GRANTED:
        same = (response.granted_amount, response.rate, response.granted_term_months, response.granted_on) == (
            data.amount, data.rate, data.term_months, data.granted_on)
        if same:
            return response
        raise Conflict("本机构已记录过该需求的放款或投资结果。")
    if need.status != FinancingNeed.Status.OPEN:
        raise Refused("该融资需求已不在征集中。")
    if need.kind == FinancingKind.LOAN and data.rate is None:
        raise InvalidInput("请填写贷款年利率。")
    if data.rate is not None and not Decimal("0") <= data.rate <= MAX_RATE:
        raise InvalidInput(f"年利率须在 0 到 {MAX_RATE}% 之间。")
    if data.amount is None or data.amount <= 0:
        raise InvalidInput("请填写放款或投资金额。")
    if data.granted_on is None or data.granted_on > timezone.localdate():
        raise InvalidInput("放款日期不能晚于今天。")
    response.status = FinancingResponse.Status.GRANTED
    response.granted_amount, response.rate = data.amount, data.rate if need.kind == FinancingKind.LOAN else None
    response.granted_term_months, response.granted_on, response.responded_by = data.term_months, data.granted_on, user
    checked_model(response, exclude=["need", "institution", "product", "responded_by"])
    response.save()
    need.status = FinancingNeed.Status.GRANTED
    need.save(update_fields=["status"])
    log_action(need, A.GRANT, user, to_value=f"{data.amount:.2f}",
               data={"institution": user.organisation.name,
                     "rate": None if response.rate is None else str(response.rate),
                     "term_months": data.term_months, "granted_on": data.granted_on.isoformat()})
    notify(_members(need.organisation_id), "enterprises.need-progress",
           f"{user.organisation.name}已记录放款/投资：{data.amount:,.2f} 元", "", need.get_absolute_url())
    return response


# Bad loans and 青信融 risk compensation.

@transaction.atomic
def record_bad_loan(user, response: FinancingResponse, principal: Decimal,
                    recognised_on: datetime.date) -> BadLoan:
    """The lending institution records that a loan it granted became bad, with the unpaid principal. One per loan:
    a repeated request returns the record already made."""
    need = response.need
    if not (allowed(user, "enterprises.lend") and response.institution_id == user.organisation_id):
        raise NotFound()
    response = FinancingResponse.objects.select_for_update().get(pk=response.pk)
    existing = BadLoan.objects.filter(response=response).first()
    if existing is not None:
        return existing
    if response.status != FinancingResponse.Status.GRANTED or need.kind != FinancingKind.LOAN:
        raise Refused("只有已记录放款的贷款可以登记不良。")
    if principal is None or not Decimal("0") < principal <= response.granted_amount:
        raise InvalidInput(f"不良贷款本金余额须大于 0，且不超过放款金额 {response.granted_amount:,.2f} 元。")
    if recognised_on is None or not response.granted_on <= recognised_on <= timezone.localdate():
        raise InvalidInput("认定不良日期须在放款日期之后，且不晚于今天。")
    bad = BadLoan(response=response, principal=principal, recognised_on=recognised_on, recorded_by=user)
    checked_model(bad, exclude=["response", "recorded_by"])
    bad.save()
    log_action(need, A.BAD_LOAN, user, to_value=f"{principal:.2f}",
               data={"institution": user.organisation.name, "recognised_on": recognised_on.isoformat()})
    return bad


def bad_loan_for(user, pk: int) -> BadLoan:
    bad = BadLoan.objects.select_related("response__need__organisation", "response__institution").filter(pk=pk).first()
    if bad is None or not allowed(user, "enterprises.view_bad_loan", bad):
        raise NotFound()
    return bad


def is_sme(need: FinancingNeed) -> bool:
    """借款人为科技型中小微企业: the size the enterprise declared on its need is micro, small or medium."""
    return need.size in {s.value for s in (EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.MEDIUM)}


@dataclass
class Compensation:
    record: object  # policy facts Record
    facts: list[tuple[str, str]]
    awards: list  # policy Award (with its derivation steps)
    not_applied: list


def compensation(user, bad: BadLoan) -> Compensation:
    """The 青信融 risk compensation the policy engine computes from the recorded bad loan: the lending
    institution's awards under the rules in force, with their derivation, and the rules not applied and why."""
    from techmarket.enterprises.policy_facts import SOURCE
    from techmarket.policy.services import applications
    from techmarket.policy.services.facts import record

    item = record(SOURCE, str(bad.pk), user)
    event, result = applications.calculate(item.event, user)
    awards = [a for a in result.awards if a.organisation_id == bad.response.institution_id]
    relevant = [n for n in result.not_applied if n.code != "event_type"]
    return Compensation(item, applications.fact_lines(event), awards, relevant)
