"""The catalogue: listings (demands, offers, talent needs, platform co-building), their taxonomy,
grading, lifecycle history and provenance."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse

from techmarket.catalogue.numbers import format_number
from techmarket.common import uploads
from techmarket.common.bounds import (
    DESCRIPTION_MAX,
    NAME_MAX,
    TITLE_MAX,
    budget_check,
    budget_field,
    date_check,
    validate_date,
    validate_single_line,
    validate_text,
)


class Field(models.Model):
    """A node of the two-level field taxonomy (data/taxonomy/fields.yaml): a field or one of its areas."""

    code = models.CharField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="areas")
    strategic = models.BooleanField("战略重点领域", default=False)
    keywords = models.JSONField("关键词", default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = verbose_name_plural = "领域"

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    @property
    def top(self) -> "Field":
        return self.parent if self.parent_id else self


class CooperationMode(models.Model):
    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    variants = models.JSONField("写法", default=list, blank=True)
    is_offer = models.BooleanField("成果供给方式", default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = verbose_name_plural = "合作方式"

    def __str__(self) -> str:
        return self.name


class SourceDocument(models.Model):
    """A file listings were imported from."""

    title = models.CharField("标题", max_length=200)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "来源文件"
        constraints = [models.UniqueConstraint(fields=["file_name"], name="unique_source_file_name")]

    def __str__(self) -> str:
        return self.title


class Listing(models.Model):
    class Kind(models.TextChoices):
        DEMAND = "demand", "技术需求"
        OFFER = "offer", "成果供给"
        TALENT = "talent", "人才需求"
        PLATFORM = "platform", "平台共建"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        PUBLISHED = "published", "已发布"
        IN_TALKS = "in-talks", "洽谈中"
        CONTRACTED = "contracted", "已签约"
        CLOSED = "closed", "已完成"
        WITHDRAWN = "withdrawn", "已撤回"
        EXPIRED = "expired", "已过期"
        REJECTED = "rejected", "未通过"

    class Grade(models.TextChoices):
        A = "A", "一级（重点）"
        B = "B", "二级（优先）"
        C = "C", "三级（一般）"

    reference = models.CharField("编号", max_length=120, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    title = models.CharField("项目名称", max_length=TITLE_MAX, validators=[validate_single_line])
    description = models.TextField("主要内容", validators=[MaxLengthValidator(DESCRIPTION_MAX), validate_text])
    organisations = models.ManyToManyField(
        "directory.Organisation", through="ListingOrganisation", related_name="listings", verbose_name="实施单位"
    )
    organisations_raw = models.TextField("实施单位（原文）", blank=True)
    contacts = models.ManyToManyField(
        "directory.Person", through="ListingContact", related_name="listings", verbose_name="联系人"
    )
    contacts_raw = models.TextField("联系方式（原文）", blank=True, help_text="含个人联系方式，仅限已核验用户可见。")
    modes = models.ManyToManyField(CooperationMode, blank=True, related_name="listings", verbose_name="合作方式")
    modes_raw = models.CharField("合作方式（原文）", max_length=300, blank=True)
    field = models.ForeignKey(
        Field, null=True, blank=True, on_delete=models.PROTECT, related_name="listings", verbose_name="领域"
    )
    field_auto = models.CharField("自动分类结果", max_length=60, blank=True)
    field_confirmed = models.BooleanField("分类已人工确认", default=False)
    grade = models.CharField("分级", max_length=1, choices=Grade.choices, blank=True)
    grade_basis = models.JSONField("分级依据", default=dict, blank=True)
    grade_overridden = models.BooleanField("分级已人工调整", default=False)
    trl = models.PositiveSmallIntegerField(
        "技术成熟度（TRL）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    budget_wan = budget_field("预算（万元）", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The database keeps 1985–2100; "at most ten years ahead" is relative to today, so forms and services
    # check it (common.bounds.validate_validity).
    valid_until = models.DateField("有效期至", null=True, blank=True, validators=[validate_date])
    owner = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_listings", verbose_name="发布单位",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="listings"
    )
    source_section = models.CharField("来源分组", max_length=80, blank=True)
    source_section_title = models.CharField("来源分组名称", max_length=80, blank=True)
    source_position = models.PositiveIntegerField("组内序位", null=True, blank=True)
    source_printed_number = models.CharField("原文序号", max_length=20, blank=True)
    source_location = models.CharField("原文位置", max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source_section", "source_position", "id"]
        verbose_name = verbose_name_plural = "需求与成果"
        permissions = [("review_listing", "审核、分级、分类需求与成果")]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["valid_until"])]
        constraints = [
            budget_check("budget_wan", "listing_budget_wan_bounds"),
            date_check("valid_until", "listing_valid_until_bounds"),
            # SQLite does not enforce a varchar's length; the description is a text column everywhere.
            models.CheckConstraint(condition=LessThanOrEqual(Length("title"), TITLE_MAX),
                                   name="listing_title_length"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("description"), DESCRIPTION_MAX),
                                   name="listing_description_length"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("listing-detail", args=[self.reference])

    @property
    def number(self) -> str:
        """The number people see (编号, XQ-2025-0012: catalogue.numbers); `reference` stays internal (URLs, API,
        command line)."""
        return format_number(self.kind, self.pk, self.created_at)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


PUBLIC_STATUSES = (
    Listing.Status.PUBLISHED, Listing.Status.IN_TALKS, Listing.Status.CONTRACTED, Listing.Status.CLOSED,
)


class ListingOrganisation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        PARTNER = "partner", "参与单位"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="organisation_links",
                                verbose_name="需求与成果")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, verbose_name="单位")
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.LEAD)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "需求与成果的单位"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["listing", "organisation"], name="unique_listing_org")]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.organisation_id} ({self.role})"


class ListingContact(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="contact_links",
                                verbose_name="需求与成果")
    person = models.ForeignKey("directory.Person", on_delete=models.PROTECT, verbose_name="联系人")
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "需求与成果的联系人"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["listing", "person"], name="unique_listing_person")]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.person_id}"


def listing_attachment_path(instance, filename: str) -> str:
    # The stored name is not the uploaded one: only the sha256 and the detected type's extension.
    return f"catalogue/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ListingAttachment(models.Model):
    """A file the listing's organisation attaches (specifications, drawings, photos). Checked by content through
    techmarket.common.uploads; downloaded by those the rule catalogue.download_attachment allows."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=listing_attachment_path, max_length=200)
    name = models.CharField("文件名", max_length=NAME_MAX, validators=[validate_single_line])
    content_type = models.CharField("文件类型", max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField("大小（字节）", validators=[MinValueValidator(1),
                                                                 MaxValueValidator(uploads.MAX_BYTES)])
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "需求与成果附件"
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=1, size__lte=uploads.MAX_BYTES),
                                   name="listing_attachment_size"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("name"), NAME_MAX),
                                   name="listing_attachment_name_length"),
            models.UniqueConstraint(fields=["listing", "sha256"], name="unique_listing_attachment_content"),
        ]

    def __str__(self) -> str:
        return self.name


class ListingAction(models.TextChoices):
    """What the audit log (techmarket.common.audit) records about a listing: every status transition, regrading,
    reclassification, edit and re-import."""

    TRANSITION = "transition", "状态变更"
    REGRADE = "regrade", "调整分级"
    RECLASSIFY = "reclassify", "调整分类"
    IMPORT = "import", "导入"
    EDIT = "edit", "编辑"


class ImportRun(models.Model):
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(auto_now_add=True)
    report = models.JSONField(default=dict)
    actor_label = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = verbose_name_plural = "导入记录"

    def __str__(self) -> str:
        return f"{self.file_name} {self.started_at:%Y-%m-%d %H:%M}"
