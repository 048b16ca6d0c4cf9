"""Self-service onboarding (docs/onboarding.md): a member claims an organisation by its unified social credit code
(统一社会信用代码) or registers a new one; staff who may verify members (accounts.review_members) approve or
reject the request in their queue. Approving verifies the user (User.is_verified), links the organisation (creating
it for a registration) and closes the request, in one transaction; every step is one line of the audit log, and
the decision reaches the member through the notification centre (topic accounts.verification).

One pending request per user (a partial unique constraint); a request is decided once: the decision locks the row
and changes it only while it is still pending, so of two reviewers deciding at the same moment one applies and the
other is told it was already decided.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.models import User, VerificationRequest
from techmarket.common import audit, notifications
from techmarket.common.bounds import NAME_MAX, REASON_MAX, forbidden_characters
from techmarket.common.errors import Conflict, InvalidInput, NotFound, Refused
from techmarket.common.permissions import allowed, require
from techmarket.directory.credit_code import is_valid_credit_code
from techmarket.directory.models import Organisation, Region

Status = VerificationRequest.Status
Kind = VerificationRequest.Kind

TOPIC = "accounts.verification"
SUBMIT, APPROVE, REJECT = "submit", "approve", "reject"
LINK = "link-organisation"  # on the user
ACTION_LABELS = {SUBMIT: "提交核验申请", APPROVE: "核验通过", REJECT: "核验未通过"}

NOT_VERIFIER = "只有负责核验用户的省科技厅工作人员可以处理核验申请。"
INVALID_CODE = ("统一社会信用代码无效：应为 18 位数字或大写字母，且末位校验码须符合 GB 32100 规定。"
                "请核对营业执照或登记证书。")
ALREADY_PENDING = "您已有一项待核验的申请，请等待工作人员处理；处理结果将通过消息通知您。"
ALREADY_MEMBER = "您的账户已核验并关联单位“{name}”。如需变更所在单位，请联系平台服务台。"
ALREADY_DECIDED = "该申请已由其他工作人员处理（{status}），未作更改。"
REASON_REQUIRED = "请填写未通过的原因，申请人将看到此说明。"
NEEDS_DETAILS = ("平台上还没有统一社会信用代码为 {code} 的单位。如要登记新单位，请填写单位名称、类型和所在地。")
NAME_TAKEN = ("平台上已有名为“{name}”的单位，但其统一社会信用代码与您填写的不一致。请核对代码，或联系平台服务台。")
# Approving a registration: the organisation is created then, so another may have taken its name or code meanwhile.
NAME_TAKEN_ON_APPROVAL = "平台上已有名为“{name}”的单位，无法新建同名单位。请驳回并请申请人改为认领该单位。"
CODE_TAKEN_ON_APPROVAL = ("统一社会信用代码 {code} 已属于单位“{name}”，无法新建。请驳回并请申请人改为认领该单位。")


@dataclass(frozen=True)
class Application:
    """What a member submits: a credit code, and for an organisation the platform does not have, its details."""

    credit_code: str
    name: str = ""
    org_kind: str = ""
    region_id: int | None = None


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).upper()


def _bounded(text: str, label: str, limit: int) -> str:
    """`text` stripped, refused (with a Chinese message) if longer than `limit` or holding control characters."""
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{label}最多 {limit} 个字（现有 {len(text)} 个）。")
    if forbidden_characters(text):
        raise InvalidInput(f"{label}中含有不可见的控制字符，请删除后重试。")
    return text


# --- The member's side -----------------------------------------------------------------------------------------

def current_request(user) -> VerificationRequest | None:
    """The user's latest request (pending, or the last decision), for their page and their workspace."""
    if not (user and user.is_authenticated):
        return None
    return (VerificationRequest.objects.filter(user=user).select_related("organisation", "region", "decided_by")
            .order_by("-created_at", "-id").first())


def is_onboarded(user) -> bool:
    return bool(user.is_verified and user.organisation_id)


@dataclass(frozen=True)
class Step:
    """What the member does next (or waits for), for their workspace; `action` says which button goes with it."""

    key: str
    text: str
    action: str = ""  # "resend" (the confirmation e-mail), "apply" (the organisation page)


def next_steps(user) -> list[Step]:
    """The member's remaining steps to act for an organisation: confirm the e-mail, claim or register the
    organisation, wait for staff; none once verified and linked with a confirmed address."""
    if not (user and user.is_authenticated):
        return []
    steps = []
    if user.email and user.email_confirmed_at is None:
        steps.append(Step("confirm-email", "确认电子邮箱：打开注册后收到的确认邮件中的链接。没有收到的，可重新发送。",
                          "resend"))
    if is_onboarded(user):
        return steps
    request = current_request(user)
    missing = "尚未关联单位" if not user.organisation_id else "尚未通过实名核验"
    if request is not None and request.status == Status.PENDING:
        steps.append(Step("wait", f"您的账户{missing}。您{request.get_kind_display()}“{request.name}”的申请"
                                  "已提交，正在等待工作人员核验，结果将通过消息通知您。"))
    elif request is not None and request.status == Status.REJECTED:
        steps.append(Step("apply", f"您的账户{missing}。上次申请未通过（原因：{request.reason}），"
                                   "请修改后重新提交。", "apply"))
    else:
        steps.append(Step("apply", f"您的账户{missing}。请填写所在单位的统一社会信用代码，认领或登记单位并申请核验；"
                                   "核验通过后可在这里办理本单位的事项。", "apply"))
    return steps


def find_by_code(code: str) -> Organisation | None:
    code = normalise_code(code)
    return Organisation.objects.filter(credit_code=code).first() if code else None


def submit(user: User, application: Application) -> VerificationRequest:
    """Record the user's request: a claim when an organisation has the code (or has the given name and no code
    yet), else a registration of a new one. One transaction; refused (with the reason) for an invalid code,
    missing details, a name taken under another code, an already linked member, or a request already pending."""
    if is_onboarded(user):
        raise Refused(ALREADY_MEMBER.format(name=user.organisation.name))
    code = normalise_code(application.credit_code)
    if not is_valid_credit_code(code):
        raise InvalidInput(INVALID_CODE)
    organisation = find_by_code(code)
    fields = {"kind": Kind.CLAIM}
    if organisation is None:
        name = _bounded(" ".join((application.name or "").split()), "单位名称", NAME_MAX)
        if not name or application.org_kind not in Organisation.Kind.values or application.region_id is None:
            raise InvalidInput(NEEDS_DETAILS.format(code=code))
        region = Region.objects.filter(pk=application.region_id).first()
        if region is None:
            raise InvalidInput("所选地区不存在，请重新选择。")
        same_name = Organisation.objects.filter(name=name).first()
        if same_name is not None and same_name.credit_code:
            raise InvalidInput(NAME_TAKEN.format(name=name))
        if same_name is not None:  # known by name, no code recorded yet: a claim, which records the code
            organisation = same_name
        else:
            fields = {"kind": Kind.REGISTER, "name": name, "org_kind": application.org_kind, "region": region}
    if organisation is not None:
        fields.update(name=organisation.name, org_kind=organisation.kind, region=organisation.region)
    try:
        with transaction.atomic():
            if VerificationRequest.objects.filter(user=user, status=Status.PENDING).exists():
                raise Conflict(ALREADY_PENDING)
            request = VerificationRequest.objects.create(user=user, credit_code=code, organisation=organisation,
                                                         **fields)
            audit.log_action(request, SUBMIT, user, to_value=Status.PENDING,
                             data={"kind": request.kind, "credit_code": code})
    except IntegrityError:  # the same user's request a moment ago (a double click, a second tab)
        raise Conflict(ALREADY_PENDING) from None
    return request


# --- The reviewers' side ---------------------------------------------------------------------------------------

def can_verify(user) -> bool:
    return allowed(user, "accounts.review_members")


def pending_requests() -> QuerySet[VerificationRequest]:
    """The queue, oldest first, with what the page shows of each person and organisation."""
    return (VerificationRequest.objects.filter(status=Status.PENDING)
            .select_related("user", "organisation", "organisation__region", "region").order_by("created_at", "id"))


def pending_count() -> int:
    return VerificationRequest.objects.filter(status=Status.PENDING).count()


def _lock_pending(request_id: int) -> VerificationRequest:
    request = (VerificationRequest.objects.select_for_update(of=("self",)).select_related("user", "organisation")
               .filter(pk=request_id).first())
    if request is None:
        raise NotFound("未找到该核验申请。")
    if request.status != Status.PENDING:
        raise Conflict(ALREADY_DECIDED.format(status=request.get_status_display()))
    return request


def _close(request: VerificationRequest, reviewer: User, status: str, **fields) -> None:
    """Mark the request decided, only if it is still pending (the conditional update is the last word when
    two decisions race past the lock, as on SQLite where select_for_update locks nothing)."""
    now = timezone.now()
    changed = VerificationRequest.objects.filter(pk=request.pk, status=Status.PENDING).update(
        status=status, decided_at=now, decided_by=reviewer, **fields)
    if not changed:
        raise Conflict(ALREADY_DECIDED.format(status="已处理"))
    for name, value in {"status": status, "decided_at": now, "decided_by": reviewer, **fields}.items():
        setattr(request, name, value)


def _organisation_for(request: VerificationRequest) -> Organisation:
    """The organisation to link: the claimed one (recording the code if it had none), or a new one."""
    if request.kind == Kind.CLAIM:
        organisation = request.organisation
        if organisation is None:
            raise Refused("认领的单位已被删除，请驳回该申请。")
        if not organisation.credit_code:
            holder = Organisation.objects.filter(credit_code=request.credit_code).first()
            if holder is not None:
                raise Conflict(CODE_TAKEN_ON_APPROVAL.format(code=request.credit_code, name=holder.name))
            Organisation.objects.filter(pk=organisation.pk, credit_code="").update(credit_code=request.credit_code)
        return organisation
    holder = Organisation.objects.filter(credit_code=request.credit_code).first()
    if holder is not None:
        raise Conflict(CODE_TAKEN_ON_APPROVAL.format(code=request.credit_code, name=holder.name))
    if Organisation.objects.filter(name=request.name).exists():
        raise Conflict(NAME_TAKEN_ON_APPROVAL.format(name=request.name))
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(name=request.name, kind=request.org_kind,
                                                       region=request.region, credit_code=request.credit_code)
    except IntegrityError:  # created a moment ago by another request
        raise Conflict(NAME_TAKEN_ON_APPROVAL.format(name=request.name)) from None
    audit.log_action(organisation, "create", request.decided_by, reason="核验申请登记新单位",
                     data={"credit_code": request.credit_code})
    return organisation


def approve(reviewer: User, request_id: int) -> VerificationRequest:
    """Verify the user and link the organisation (creating it for a registration); all or nothing."""
    require(reviewer, "accounts.review_members", message=NOT_VERIFIER)
    with transaction.atomic():
        request = _lock_pending(request_id)
        request.decided_by = reviewer
        organisation = _organisation_for(request)
        _close(request, reviewer, Status.APPROVED, organisation=organisation)
        user = User.objects.select_for_update().get(pk=request.user_id)
        was_verified, old_organisation = user.is_verified, user.organisation
        User.objects.filter(pk=user.pk).update(is_verified=True, organisation=organisation)
        audit.log_action(request, APPROVE, reviewer, from_value=Status.PENDING, to_value=Status.APPROVED,
                         data={"organisation": organisation.pk})
        if not was_verified:
            audit.log_action(user, "verify", reviewer, from_value="否", to_value="是", reason="核验申请通过")
        if old_organisation != organisation:
            audit.log_action(user, LINK, reviewer, from_value=old_organisation or "",
                             to_value=organisation.name)
        notifications.notify(user, TOPIC, "您的身份与单位核验已通过",
                             f"您已通过实名核验，账户已关联单位“{organisation.name}”。现在您可以查看联系人信息，"
                             "并代表本单位发布需求或成果。", reverse("my-organisation"))
    request.user.refresh_from_db()
    return request


def reject(reviewer: User, request_id: int, reason: str) -> VerificationRequest:
    """Refuse the request with a reason the member will read; the user's account is not changed."""
    require(reviewer, "accounts.review_members", message=NOT_VERIFIER)
    reason = _bounded(reason, "原因", REASON_MAX)
    if not reason:
        raise InvalidInput(REASON_REQUIRED)
    with transaction.atomic():
        request = _lock_pending(request_id)
        _close(request, reviewer, Status.REJECTED, reason=reason)
        audit.log_action(request, REJECT, reviewer, from_value=Status.PENDING, to_value=Status.REJECTED,
                         reason=reason)
        notifications.notify(request.user, TOPIC, "您的身份与单位核验未通过",
                             f"原因：{reason}\n您可以根据说明修改后重新提交申请。", reverse("my-organisation"))
    return request
