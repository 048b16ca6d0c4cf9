"""The expert pool (专家库), read only: verified experts with their fields, found by filters and the experts'
search index (docs/experts.md). Phones and e-mails only for users who may see personal contacts (verified users);
for everyone else `contacts` is null."""

from typing import Annotated

from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from techmarket.api.schemas import MAX_ID, Code, Error, Page, text
from techmarket.experts.models import Expert
from techmarket.experts.services import profiles, search
from techmarket.experts.services.profiles import Filters

router = Router(tags=["experts"])

AvailabilityCode = Annotated[str, Field(pattern="^(available|busy|retired)$")]


class ExpertQuery(Page):
    q: text(100) = Field("", description="在姓名、职称、单位、领域和研究专长中检索（平台的中文检索）")
    field: Code | None = Field(None, description="领域或二级领域代码；领域包含其二级领域")
    region: Code | None = Field(None, description="地区代码；青海省包含各市州")
    availability: AvailabilityCode | None = Field(None, description="可参加评审情况：available、busy、retired")


class FieldOut(Schema):
    code: str
    name: str


class ContactsOut(Schema):
    phone: str
    email: str


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    organisation: str | None
    organisation_id: int | None
    region: str
    region_code: str
    fields: list[FieldOut]
    specialities: str
    availability: str
    availability_label: str
    busy_until: str | None
    url: str
    contacts: ContactsOut | None = Field(None, description="仅对已实名核验的用户返回")


class ExpertPage(Schema):
    count: int
    limit: int
    offset: int
    words: list[str]
    items: list[ExpertOut]


def expert_out(expert: Expert, user, today) -> dict:
    return {
        "id": expert.pk, "name": expert.name, "title": expert.title,
        "organisation": expert.organisation.name if expert.organisation_id else None,
        "organisation_id": expert.organisation_id, "region": expert.region.name, "region_code": expert.region.code,
        "fields": [{"code": f.code, "name": str(f)} for f in expert.fields.all()],
        "specialities": expert.specialities, "availability": expert.availability,
        "availability_label": profiles.availability_label(expert, today),
        "busy_until": expert.busy_until.isoformat() if expert.busy_until else None,
        "url": expert.get_absolute_url(), "contacts": profiles.contacts(expert, user),
    }


@router.get("", response=ExpertPage, summary="检索专家库")
def list_experts(request, params: Query[ExpertQuery]):
    today = timezone.localdate()
    filters = Filters(q=params.q, field=params.field or "", region=params.region or "",
                      availability=params.availability or "")
    experts, words = search.find(filters, today)
    count = len(experts) if isinstance(experts, list) else experts.count()
    window = experts[params.offset: params.offset + params.limit]
    return {"count": count, "limit": params.limit, "offset": params.offset, "words": list(words),
            "items": [expert_out(e, request.user, today) for e in window]}


@router.get("/{expert_id}", response={200: ExpertOut, 404: Error}, summary="专家详情")
def get_expert(request, expert_id: Path[Annotated[int, Field(ge=1, le=MAX_ID)]]):
    expert = profiles.visible_expert(request.user, expert_id)
    return expert_out(expert, request.user, timezone.localdate())
