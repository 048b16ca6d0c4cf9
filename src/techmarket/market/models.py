"""Technology trading and technology-contract registration (技术合同认定登记).

A deal made on the platform: an Inquiry about a listing, its Messages and Attachments, an Agreement the two sides
record, and the Contract it becomes (ContractParty, Milestone, and the payments received: ContractPayment). A
contract is registered at a Registry through a Registration, whose every state change is logged
(RegistrationAction); so are the steps of the deal (DealAction), in the one audit log (techmarket.common.audit).
The rules (which transition may follow which, who may take it) live in techmarket.market.services; see
docs/market.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from techmarket.common.bounds import (
    date_check,
    money_check,
    money_field,
    validate_date,
    validate_single_line,
    validate_text,
)

# Statuses in which a registration holds its contract: one at a time per contract (services.registration).
ACTIVE_REGISTRATION_STATUSES = ("submitted", "accepted", "reconsideration", "registered", "changed")


class Location(models.TextChoices):
    """Where a party is, as the statistics count it."""

    QINGHAI = "qinghai", "省内"
    OTHER_PROVINCE = "other-province", "省外"
    ABROAD = "abroad", "境外"


class Registry(models.Model):
    """A technology contract registry (技术合同登记机构): created from data/market/registries.yaml, then kept by the
    provincial department (services/registries.py): the legal person it belongs to and its premises (青海省技术市场
    管理办法 第十五条), the prefectures it serves, its registrars (RegistryStaff with their certificates)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, validators=[validate_single_line])
    region_code = models.SlugField("所在地区代码", max_length=40)
    number_code = models.CharField("登记号地区码", max_length=2, unique=True)
    is_provincial = models.BooleanField("省级登记机构", default=False)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField("在用", default=True)
    legal_person = models.CharField("依托法人单位", max_length=200, blank=True, validators=[validate_single_line])
    has_premises = models.BooleanField("具备登记所需的办公场所和办公条件", default=False)
    served_regions = models.ManyToManyField("directory.Region", blank=True, related_name="registries",
                                            verbose_name="服务的市州")
    updated_at = models.DateTimeField("更新时间", auto_now=True, null=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = verbose_name_plural = "技术合同登记机构"

    def __str__(self) -> str:
        return self.name


class RegistryStaff(models.Model):
    """A user's assignment to a registry. Staff also need the group 技术合同登记员 (accounts/roles.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="registry_assignment", verbose_name="用户")
    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="staff", verbose_name="登记机构")
    since = models.DateField("任职日期", auto_now_add=True)
    # 第十五条（二）: only a holder of the 技术合同认定登记员证书 may examine (services/registries.staff_registry).
    certificate_number = models.CharField("登记员证书编号", max_length=40, blank=True,
                                          validators=[validate_single_line])
    certificate_issued_on = models.DateField("发证日期", null=True, blank=True, validators=[validate_date])
    full_time = models.BooleanField("专职", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "登记机构工作人员"
        constraints = [date_check("certificate_issued_on", "market_registrar_certificate_date_bounds")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.registry}"


class Inquiry(models.Model):
    """An interested organisation's inquiry about a listing (洽谈), between it and the listing's owner."""

    class Status(models.TextChoices):
        OPEN = "open", "洽谈中"
        AGREED = "agreed", "已达成协议"
        CONTRACTED = "contracted", "已签订合同"
        CLOSED = "closed", "已关闭"

    listing = models.ForeignKey("catalogue.Listing", on_delete=models.PROTECT, related_name="market_inquiries",
                                verbose_name="条目")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="market_inquiries_made", verbose_name="意向方")
    counterpart = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                    related_name="market_inquiries_received", verbose_name="发布单位")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="发起人")
    subject = models.CharField("主题", max_length=200, validators=[validate_single_line])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "洽谈"
        constraints = [
            models.UniqueConstraint(fields=["listing", "organisation"], condition=Q(status__in=["open", "agreed"]),
                                    name="market_one_open_inquiry_per_listing_org"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("market:inquiry", args=[self.pk])


class Message(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    body = models.TextField("内容", max_length=5000, validators=[validate_text])
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "洽谈消息"

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.body[:30]}"


def attachment_path(instance, filename: str) -> str:
    # The stored name is not the uploaded one: only the sha256 and the detected type's extension.
    return f"market/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class WithdrawableQuerySet(models.QuerySet):
    """Records that are withdrawn, never deleted (Attachment, ContractPayment): `withdrawn_at` marks them."""

    def current(self):
        """The records in force: not withdrawn (a withdrawn one is kept as evidence)."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


class Attachment(models.Model):
    """A document exchanged in an inquiry or attached to a contract; type checked by content (services.attachments).

    A contract's document is never deleted: a party that may edit the contract withdraws it (a wrong upload) or
    replaces it, until the contract is submitted for registration. The record and its file stay, marked withdrawn
    (by whom, when, and the document that replaced it), so that what an earlier, refused or withdrawn application
    was examined on can still be shown; a withdrawn document is no longer the contract's text for registration
    (services.contracts.current_documents)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "洽谈资料"
        CONTRACT_TEXT = "contract-text", "合同文本"
        OTHER = "other", "其他附件"
        PAYMENT_EVIDENCE = "payment-evidence", "到账凭证"  # of a ContractPayment, shown with it (not a document)

    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    contract = models.ForeignKey("Contract", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="上传人")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="上传单位")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("移除时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="移除人")
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="替换为")

    objects = WithdrawableQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(condition=Q(inquiry__isnull=False) | Q(contract__isnull=False),
                                   name="market_attachment_has_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """Terms one side of an inquiry proposes and the other accepts (or declines)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待对方确认"
        ACCEPTED = "accepted", "双方已确认"
        DECLINED = "declined", "对方未同意"
        SUPERSEDED = "superseded", "已被新方案取代"

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="agreements")
    contract_type = models.CharField("合同类型", max_length=40)
    amount = money_field("拟定合同金额（元）", null=True, blank=True)
    terms = models.TextField("协议要点", max_length=10000, validators=[validate_text])
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_by_organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("答复", blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = verbose_name_plural = "协议"
        constraints = [money_check("amount", "market_agreement_amount_bounds")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.status})"


class Contract(models.Model):
    """A technology contract, made on the platform (from an inquiry) or recorded for registration."""

    title = models.CharField("合同名称", max_length=300, validators=[validate_single_line])
    contract_type = models.CharField("合同类型", max_length=40)
    summary = models.TextField("主要内容", blank=True, max_length=10000, validators=[validate_text])
    signed_on = models.DateField("签订日期", validators=[validate_date])
    total_amount = money_field("合同总额（元）")
    technology_amount = money_field(
        "技术交易额（元）",
        help_text="合同总额中扣除非技术性款项（设备、原材料、基建等）后的技术性收入部分。",
    )
    field = models.ForeignKey("catalogue.Field", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="market_contracts", verbose_name="技术领域")
    listings = models.ManyToManyField("catalogue.Listing", blank=True, related_name="market_contracts",
                                      verbose_name="关联条目")
    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts",
                                verbose_name="来源洽谈")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="来源协议")
    made_on_platform = models.BooleanField("经平台成交", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="录入人")
    # The form's one-time key: a second submission of the same form finds this contract instead of making another.
    intent_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "技术合同"
        constraints = [
            money_check("total_amount", "market_contract_total_amount_bounds"),
            money_check("technology_amount", "market_contract_technology_amount_bounds"),
            date_check("signed_on", "market_contract_signed_on_bounds"),
            models.UniqueConstraint(fields=["inquiry"], condition=Q(inquiry__isnull=False),
                                    name="market_one_contract_per_inquiry"),
            models.CheckConstraint(condition=Q(technology_amount__lte=F("total_amount")),
                                   name="market_technology_amount_within_total"),
            models.CheckConstraint(condition=Q(technology_amount__gte=0), name="market_technology_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("market:contract", args=[self.pk])


class ContractParty(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="market_contract_parties", verbose_name="单位")
    role = models.CharField("合同角色", max_length=40)
    location = models.CharField("所在地", max_length=20, choices=Location.choices)
    region_code = models.SlugField("所在地区代码", max_length=40, blank=True,
                                   help_text="取自单位所在地；决定向哪个登记机构申请。")
    is_registering_party = models.BooleanField("登记方", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = verbose_name_plural = "合同当事人"

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment", "付款"
        DELIVERY = "delivery", "交付"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    description = models.CharField("内容", max_length=300, validators=[validate_single_line])
    amount = money_field("金额（元）", null=True, blank=True)
    due_on = models.DateField("约定日期", null=True, blank=True, validators=[validate_date])
    done_on = models.DateField("完成日期", null=True, blank=True, validators=[validate_date])
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = verbose_name_plural = "履约节点"
        constraints = [
            money_check("amount", "market_milestone_amount_bounds"),
            date_check("due_on", "market_milestone_due_on_bounds"),
            date_check("done_on", "market_milestone_done_on_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description}"


class ContractPayment(models.Model):
    """A payment received against a contract (实际到位金额), recorded by a party with its evidence (到账凭证).

    The sum of a contract's current payments is the `paid` amount of its policy event (services.policy_event).
    A wrong entry is never deleted: the recording organisation withdraws it with a reason (by whom, when); it is
    kept, shown as withdrawn, and no longer counts (services.payments)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments", verbose_name="合同")
    amount = money_field("到账金额（元）")
    received_on = models.DateField("到账日期", validators=[validate_date])
    evidence = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="payments",
                                 verbose_name="到账凭证")
    note = models.CharField("说明", max_length=500, blank=True, validators=[validate_single_line])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="记录人")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="记录单位")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    # The form's one-time key: a second submission of the same form finds this payment instead of recording another.
    intent_key = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="撤回人")
    withdrawal_reason = models.CharField("撤回原因", max_length=500, blank=True, validators=[validate_single_line])

    objects = WithdrawableQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = verbose_name_plural = "到账记录"
        constraints = [
            money_check("amount", "market_payment_amount_bounds"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="market_payment_amount_positive"),
            date_check("received_on", "market_payment_received_on_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"


class Registration(models.Model):
    """An application to register a contract at a registry, and the registry's decisions on it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "已受理"
        REGISTERED = "registered", "已登记"
        REFUSED = "refused", "未予登记"
        RECONSIDERATION = "reconsideration", "复议中"
        CHANGED = "changed", "已变更登记"
        CANCELLED = "cancelled", "已注销登记"
        WITHDRAWN = "withdrawn", "已撤回"

    class CancelKind(models.TextChoices):
        TERMINATED = "terminated", "解除"
        REVOKED = "revoked", "撤销"
        VOID = "void", "宣布无效"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="registrations",
                                 verbose_name="合同")
    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="registrations",
                                 verbose_name="登记机构")
    party = models.ForeignKey(ContractParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="登记方")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT,
                                     related_name="market_registrations", verbose_name="登记方单位")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="申请人")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # Registrations made at a registry outside Qinghai, recorded here and verified by the provincial registry.
    external = models.BooleanField("省外登记", default=False)
    external_registry = models.CharField("省外登记机构", max_length=200, blank=True, validators=[validate_single_line])
    external_number = models.CharField("省外登记号", max_length=40, blank=True, validators=[validate_single_line])
    number = models.CharField("登记号", max_length=16, null=True, blank=True, unique=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    serial = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    received_on = models.DateField("收到申请日期")
    due_on = models.DateField("应作出决定日期", help_text="当前待作出决定的期限：登记 30 日，复议 60 日。")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="决定人")
    decided_late = models.BooleanField("逾期作出决定", default=False)
    registered_on = models.DateField("登记日期", null=True, blank=True)
    technology_amount = money_field("认定技术交易额（元）", null=True, blank=True)
    reasons = models.TextField("未予登记理由", blank=True)
    reconsideration_requested_at = models.DateTimeField("申请复议时间", null=True, blank=True)
    reconsideration_reason = models.TextField("复议理由", blank=True)
    reconsidered = models.BooleanField("已复议", default=False)
    cancel_kind = models.CharField("注销原因", max_length=20, choices=CancelKind.choices, blank=True)
    closed_at = models.DateTimeField("注销或撤回时间", null=True, blank=True)
    document_sha256 = models.JSONField("合同文本摘要", default=list, blank=True)
    snapshot = models.JSONField("申请时的合同内容", default=dict, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = verbose_name_plural = "技术合同登记"
        permissions = [
            ("examine_registration", "审查技术合同认定登记"),
            ("oversee_registrations", "查看全部技术合同登记"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["registry", "year", "serial"], name="market_registration_serial"),
            models.UniqueConstraint(fields=["contract"], condition=Q(status__in=ACTIVE_REGISTRATION_STATUSES),
                                    name="market_one_active_registration_per_contract"),
            money_check("technology_amount", "market_registration_technology_amount_bounds"),
            date_check("received_on", "market_registration_received_on_bounds"),
            date_check("due_on", "market_registration_due_on_bounds"),
            date_check("registered_on", "market_registration_registered_on_bounds"),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["registered_on"])]

    def __str__(self) -> str:
        return self.number or self.external_number or f"申请 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("market:registration", args=[self.pk])

    @property
    def label(self) -> str:
        """How messages name this registration: its number, or its application number while it has none."""
        if self.number:
            return f"登记号 {self.number}"
        if self.external_number:
            return f"省外登记号 {self.external_number}"
        return f"申请编号 {self.pk}"


class RegistrationAction(models.TextChoices):
    """What the audit log records about a registration: every state change and request, with who, when and why."""

    SUBMIT = "submit", "提交登记申请"
    ACCEPT = "accept", "受理"
    REGISTER = "register", "准予登记"
    REFUSE = "refuse", "未予登记"
    REQUEST_RECONSIDERATION = "request-reconsideration", "申请复议"
    OVERTURN = "overturn", "复议：撤销原结论并登记"
    UPHOLD = "uphold", "复议：维持原结论"
    CHANGE = "change", "变更登记"
    CANCEL = "cancel", "注销登记"
    WITHDRAW = "withdraw", "撤回申请"


class RegistryAction(models.TextChoices):
    """What the audit log records about a registry as a managed record (services/registries.py)."""

    EDIT = "registry-edit", "修改登记机构信息"
    APPOINT = "registrar-appoint", "任命登记员"
    EDIT_REGISTRAR = "registrar-edit", "修改登记员证书"
    REMOVE = "registrar-remove", "解除登记员"


class DealAction(models.TextChoices):
    """What the audit log records about a deal (its inquiry or contract): the inquiry, documents, agreement,
    contract and milestones, with who and when."""

    INQUIRY_OPENED = "inquiry-opened", "发起洽谈"
    DOCUMENT_UPLOADED = "document-uploaded", "上传附件"
    DOCUMENT_WITHDRAWN = "document-withdrawn", "移除附件"
    DOCUMENT_REPLACED = "document-replaced", "替换附件"
    AGREEMENT_PROPOSED = "agreement-proposed", "提出协议"
    AGREEMENT_ACCEPTED = "agreement-accepted", "确认协议"
    AGREEMENT_DECLINED = "agreement-declined", "不同意协议"
    INQUIRY_CLOSED = "inquiry-closed", "关闭洽谈"
    CONTRACT_CREATED = "contract-created", "录入合同"
    CONTRACT_UPDATED = "contract-updated", "修改合同"
    MILESTONE_DONE = "milestone-done", "完成履约节点"
    PAYMENT_RECORDED = "payment-recorded", "记录到位金额"
    PAYMENT_WITHDRAWN = "payment-withdrawn", "撤回到位金额记录"
