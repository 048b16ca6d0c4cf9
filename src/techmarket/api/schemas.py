"""Request and response schemas of the API, and the functions that turn model instances into responses.

Privacy rule (docs/api.md): a listing's contact persons (names, phones, e-mails) are output only to users
who may see contacts (User.can_see_contacts); the raw contact cell only to reviewers. Organisation
responses never include persons.
"""

import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch, QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints, WrapValidator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from techmarket.catalogue.models import Listing, ListingContact, ListingOrganisation
from techmarket.catalogue.services.listings import SORTS, ListingFilters
from techmarket.common import bounds
from techmarket.directory.models import Organisation

MAX_ID = 2**63 - 1  # larger integers overflow the database's integer columns


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("不能包含空字符（\\x00）。")
    return value


def text(max_length: int, min_length: int = 0):
    """A stripped string of bounded length without NUL characters (the database rejects them)."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


# Codes of taxonomy fields, cooperation modes and regions: "salt-lake.lithium", "joint-rd", "haixi".
Code = Annotated[str, StringConstraints(max_length=60, pattern=r"^[A-Za-z0-9._-]+$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
KindCode = Literal[tuple(Listing.Kind.values)]
StatusCode = Literal[tuple(Listing.Status.values)]
GradeCode = Literal[tuple(Listing.Grade.values)]
SortCode = Literal[tuple(SORTS)]
OrganisationKindCode = Literal[tuple(Organisation.Kind.values)]


# ---------------------------------------------------------------------------------------------------------
# Query parameters


class Page(Schema):
    limit: int = Field(20, ge=1, le=100, description="每页条数（1–100）")
    offset: int = Field(0, ge=0, le=1_000_000, description="跳过的条数")


class ListingQuery(Page):
    """Filters of GET /api/listings; the same as the catalogue page's (services.listings.ListingFilters)."""

    kind: KindCode | None = Field(None, description="类别")
    field: Code | None = Field(None, description="领域或二级领域代码；领域包含其二级领域")
    mode: Code | None = Field(None, description="合作方式代码")
    region: Code | None = Field(None, description="地区代码；青海省包含各市州")
    organisation: Id | None = Field(None, description="单位 id")
    status: StatusCode | None = Field(None, description="状态（仅在可见范围内筛选）")
    grade: GradeCode | None = Field(None, description="分级")
    q: text(100) = Field("", description="在名称、内容、单位中查找")
    sort: SortCode = Field("reference", description="排序")

    def to_filters(self) -> ListingFilters:
        return ListingFilters(
            kind=self.kind or "", field=self.field or "", mode=self.mode or "", region=self.region or "",
            organisation=self.organisation, status=self.status or "", grade=self.grade or "", q=self.q,
            sort=self.sort,
        )


class OrganisationQuery(Page):
    kind: OrganisationKindCode | None = Field(None, description="单位类型")
    region: Code | None = Field(None, description="地区代码；青海省包含各市州")
    q: text(100) = Field("", description="在单位名称及别名中查找")


# ---------------------------------------------------------------------------------------------------------
# Responses


class CodeName(Schema):
    code: str
    name: str


class FieldOut(CodeName):
    parent: CodeName | None = Field(None, description="所属领域（二级领域才有）")


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: CodeName | None
    role: str | None = Field(None, description="在条目中的角色：lead 牵头单位，partner 参与单位")


class Contact(Schema):
    name: str
    phones: list[str]
    emails: list[str]


class Provenance(Schema):
    document: str | None = Field(None, description="来源文件")
    section: str
    section_title: str
    position: int | None
    printed_number: str


class ListingOut(Schema):
    reference: str
    kind: str
    kind_label: str
    title: str
    description: str
    status: str
    status_label: str
    grade: str | None
    grade_label: str | None
    grade_basis: dict
    field: FieldOut | None
    modes: list[CodeName]
    modes_raw: str
    organisations: list[OrganisationRef]
    trl: int | None
    budget_wan: float | None = Field(None, description="预算（万元）")
    valid_until: datetime.date | None
    provenance: Provenance
    published_at: datetime.datetime | None
    updated_at: datetime.datetime
    url: str = Field(description="网页地址")
    contacts: list[Contact] | None = Field(None, description="联系人；仅已核验用户可见，其他人为 null")
    contacts_raw: str | None = Field(None, description="联系方式原文；仅审核人员可见，其他人为 null")


class ListingPage(Schema):
    count: int = Field(description="符合条件的总条数")
    limit: int
    offset: int
    items: list[ListingOut]


class ListingSummary(Schema):
    reference: str
    kind: str
    title: str
    status: str
    url: str


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: CodeName | None
    website: str
    description: str
    listing_count: int = Field(description="可见条目数")


class OrganisationDetail(OrganisationOut):
    aliases: list[str]
    listings: list[ListingSummary] = Field(description="可见条目")


class OrganisationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrganisationOut]


class CountItem(Schema):
    code: str
    name: str
    count: int


class Stats(Schema):
    total: int
    by_kind: list[CountItem]
    by_field: list[CountItem]


class Error(Schema):
    detail: str


# ---------------------------------------------------------------------------------------------------------
# Request bodies


TitleIn = Annotated[text(bounds.TITLE_MAX, min_length=1), bounds.pydantic_check(bounds.validate_single_line)]
DescriptionIn = Annotated[text(bounds.DESCRIPTION_MAX, min_length=1), bounds.pydantic_check(bounds.validate_text)]
ReasonIn = Annotated[text(bounds.REASON_MAX), bounds.pydantic_check(bounds.validate_text)]


def _budget_message(value, handler):
    """Any refusal of a budget (range, digits, not a number) as the one Chinese message naming the limit."""
    try:
        return handler(value)
    except PydanticValidationError:
        raise PydanticCustomError("budget_bounds", bounds.BUDGET_MESSAGE) from None


BudgetWanIn = Annotated[bounds.BudgetIn, WrapValidator(_budget_message)]


class ListingIn(Schema):
    """A listing's content as its organisation writes it (services.listings.ListingInput)."""

    kind: KindCode
    title: TitleIn
    description: DescriptionIn
    modes: list[Code] = Field(default_factory=list, max_length=20, description="合作方式代码")
    field: Code | None = Field(None, description="二级领域代码；不填则自动分类")
    trl: int | None = Field(None, ge=1, le=9, description="技术成熟度 1–9")
    budget_wan: BudgetWanIn | None = Field(None, description="预算（万元），0 到 10,000,000.00")
    valid_until: bounds.ValidityIn | None = Field(None, description="有效期至；1985 年以后，最长 10 年")


class ListingPatch(Schema):
    """A partial edit: omitted fields keep their values; `field: null` asks for automatic classification."""

    kind: KindCode | None = None
    title: TitleIn | None = None
    description: DescriptionIn | None = None
    modes: list[Code] | None = Field(None, max_length=20)
    field: Code | None = None
    trl: int | None = Field(None, ge=1, le=9)
    budget_wan: BudgetWanIn | None = Field(None, description="预算（万元），0 到 10,000,000.00")
    valid_until: bounds.ValidityIn | None = Field(None, description="有效期至；1985 年以后，最长 10 年")

    @model_validator(mode="after")
    def required_fields_not_null(self):
        for name in ("kind", "title", "description", "modes"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null。")
        return self


class TransitionIn(Schema):
    to_status: StatusCode
    reason: ReasonIn = Field("", description="原因；撤回、退回时必填")
    valid_until: bounds.ValidityIn | None = Field(None, description="新的有效期；过期条目重新发布时必填；最长 10 年")


# ---------------------------------------------------------------------------------------------------------
# Serialisation


def with_relations(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """Load what listing_out reads, in a fixed number of queries."""
    return qs.select_related("field", "field__parent", "source_document").prefetch_related(
        "modes",
        Prefetch("organisation_links", queryset=ListingOrganisation.objects.select_related("organisation__region")),
        Prefetch("contact_links", queryset=ListingContact.objects.select_related("person")),
    )


def _code_name(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def listing_url(request, listing: Listing) -> str:
    return request.build_absolute_uri(listing.get_absolute_url())


def listing_out(request, listing: Listing) -> dict:
    user = request.user
    field = listing.field
    data = {
        "reference": listing.reference,
        "kind": listing.kind,
        "kind_label": listing.get_kind_display(),
        "title": listing.title,
        "description": listing.description,
        "status": listing.status,
        "status_label": listing.get_status_display(),
        "grade": listing.grade or None,
        "grade_label": listing.get_grade_display() if listing.grade else None,
        "grade_basis": listing.grade_basis or {},
        "field": {**_code_name(field), "parent": _code_name(field.parent)} if field else None,
        "modes": [_code_name(mode) for mode in listing.modes.all()],
        "modes_raw": listing.modes_raw,
        "organisations": [
            {**organisation_ref(link.organisation), "role": link.role}
            for link in listing.organisation_links.all()
        ],
        "trl": listing.trl,
        "budget_wan": listing.budget_wan,
        "valid_until": listing.valid_until,
        "provenance": {
            "document": listing.source_document.title if listing.source_document else None,
            "section": listing.source_section,
            "section_title": listing.source_section_title,
            "position": listing.source_position,
            "printed_number": listing.source_printed_number,
        },
        "published_at": listing.published_at,
        "updated_at": listing.updated_at,
        "url": listing_url(request, listing),
        "contacts": None,
        "contacts_raw": None,
    }
    if user.is_authenticated and user.can_see_contacts:
        data["contacts"] = [
            {"name": link.person.name, "phones": link.person.phones, "emails": link.person.emails}
            for link in listing.contact_links.all()
        ]
    if user.is_authenticated and user.is_reviewer:
        data["contacts_raw"] = listing.contacts_raw
    return data


def organisation_ref(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "kind_label": organisation.get_kind_display(),
        "region": _code_name(organisation.region),
    }


def organisation_out(organisation: Organisation) -> dict:
    return {
        **organisation_ref(organisation),
        "website": organisation.website,
        "description": organisation.description,
        "listing_count": organisation.listing_count,
    }
