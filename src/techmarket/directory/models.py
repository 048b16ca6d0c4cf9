"""Organisations, their aliases, regions and contact persons."""

from django.conf import settings
from django.db import models

from techmarket.common.bounds import validate_single_line, validate_text
from techmarket.directory.credit_code import validate_credit_code


class Region(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", "本省"
        PREFECTURE = "prefecture", "市州"
        OTHER_PROVINCE = "other-province", "省外"
        ABROAD = "abroad", "境外"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    aid_partner = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="aided_prefectures",
        verbose_name="对口援青省市",
    )
    keywords = models.JSONField("名称线索", default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = verbose_name_plural = "地区"

    def __str__(self) -> str:
        return self.name

    @property
    def in_qinghai(self) -> bool:
        return self.kind in (self.Kind.PROVINCE, self.Kind.PREFECTURE)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        UNIVERSITY = "university", "高校"
        INSTITUTE = "institute", "科研院所"
        GOVERNMENT = "government", "政府部门"
        PARK = "park", "园区"
        HOSPITAL = "hospital", "医疗机构"
        ASSOCIATION = "association", "协会学会"
        TRANSFER_INSTITUTION = "transfer-institution", "技术转移机构"
        FINANCIAL_INSTITUTION = "financial-institution", "金融机构"
        PUBLIC_INSTITUTION = "public-institution", "事业单位"
        COOPERATIVE = "cooperative", "合作社"
        GROUP = "group", "泛指单位"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=200, unique=True, validators=[validate_single_line])
    kind = models.CharField("类型", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="所在地")
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    description = models.TextField("简介", blank=True, validators=[validate_text])
    website = models.URLField("网站", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "单位"
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="unique_nonblank_credit_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationAlias(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("别名", max_length=200, unique=True, validators=[validate_single_line])

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "单位别名"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A contact person. Separate from organisations: one coordinator serves several units.

    Phones and e-mails are personal contact details: they are shown only to verified users.
    """

    name = models.CharField("姓名", max_length=100, validators=[validate_single_line])
    phones = models.JSONField("电话", default=list, blank=True)
    emails = models.JSONField("电子邮箱", default=list, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="people", verbose_name="所属单位")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "联系人"

    def __str__(self) -> str:
        return self.name


class RegionReviewer(models.Model):
    """A prefecture bureau's reviewer (市州科技局审核员): reviews the listings of organisations in its prefecture
    (catalogue/rules.py) and nothing else; granted by staff in the admin (docs/prefectures.md)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_reviews",
                             verbose_name="用户")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="reviewers", verbose_name="市州",
                               limit_choices_to={"kind": Region.Kind.PREFECTURE})
    assigned_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "市州审核员"
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="regionreviewer_once_per_region")]

    def __str__(self) -> str:
        return f"{self.user} · {self.region}"
