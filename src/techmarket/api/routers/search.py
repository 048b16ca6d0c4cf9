"""Search and matching: GET /api/search, GET /api/listings/{reference}/matches, GET /api/match.

The answers are matching.services' as_dict(): the index holds public listings only, and results carry
no personal contact details. The matches of a listing are answered only if the user may see the listing.

api.py registers this router before the listings router: the listings router's {path:reference} routes
would otherwise swallow ".../matches" (as the transitions route is registered before the detail route).
"""

from typing import Literal

from ninja import Field, Query, Router, Schema

from techmarket.api.routers.listings import get_visible
from techmarket.api.schemas import Code, Error, KindCode, text
from techmarket.catalogue.models import PUBLIC_STATUSES
from techmarket.matching.services.engine import EngineFilters
from techmarket.matching.services.match import match_listing, match_text
from techmarket.matching.services.search import MODES, search

router = Router(tags=["search"])

PublicStatusCode = Literal[tuple(s.value for s in PUBLIC_STATUSES)]
SearchMode = Literal[MODES]
QueryText = text(200, min_length=1)
MatchText = text(2000, min_length=1)


# ---------------------------------------------------------------------------------------------------------
# Query parameters


class SearchQuery(Schema):
    q: QueryText = Field(..., description="检索内容（中文、英文，简繁体均可）")
    kind: KindCode | None = Field(None, description="类别")
    field: Code | None = Field(None, description="领域或二级领域代码")
    mode_code: Code | None = Field(None, description="合作方式代码（筛选）")
    region: Code | None = Field(None, description="地区代码；省级代码包含其市州")
    status: PublicStatusCode | None = Field(None, description="状态（公开状态之一）")
    mode: SearchMode = Field("fused", description="检索方式：fused（关键词与语义融合）、keyword、semantic")
    limit: int = Field(10, ge=1, le=100, description="返回条数（1–100）")
    offset: int = Field(0, ge=0, le=10_000, description="跳过的条数")

    def to_filters(self) -> EngineFilters:
        return EngineFilters(kind=self.kind or "", field=self.field or "", mode=self.mode_code or "",
                             region=self.region or "", status=self.status or "")


class MatchesQuery(Schema):
    limit: int = Field(10, ge=1, le=50, description="每组返回条数（1–50）")


class MatchTextQuery(MatchesQuery):
    text: MatchText = Field(..., description="需求或成果的描述")


# ---------------------------------------------------------------------------------------------------------
# Responses (the services' as_dict())


class SearchHitOut(Schema):
    listing_id: int
    reference: str
    kind: str
    title: str
    score: float
    keyword_score: float
    similarity: float
    coverage: float
    matched_terms: list[str]
    snippet: str = Field(..., description="内容摘录：已做 HTML 转义，命中词以 <mark> 标出")
    explanation: str
    relevance: float = Field(..., description="相关概率（0–1，经标定）")
    band: Literal["strong", "medium", "weak"] = Field(..., description="置信档：strong 强、medium 中、weak 弱")
    band_label: str


class SearchOut(Schema):
    query: str
    mode: str
    terms: list[str] = Field(..., description="分析后的检索词")
    total: int
    relevant: int = Field(..., description="达到相关下限的条数（排在前面）")
    weak: int = Field(..., description="弱相关条数（total − relevant）")
    verdict: Literal["match", "no-good-match"]
    verdict_reason: str
    facets: dict[str, dict[str, int]] = Field(..., description="kind、field、mode、region、status：代码 → 条数")
    results: list[SearchHitOut]


class ReasonOut(Schema):
    code: str
    label: str
    weight: float


class MatchOut(Schema):
    listing_id: int
    reference: str
    kind: str
    title: str
    score: float
    relevance: float = Field(..., description="相关概率（0–1，经标定）")
    band: Literal["strong", "medium", "weak"]
    band_label: str
    reasons: list[ReasonOut]
    explanation: str


class OrganisationFitOut(Schema):
    organisation_id: int
    name: str
    kind: str
    region: str
    score: float
    reasons: list[ReasonOut]
    listings: list[str]
    explanation: str


class SubjectOut(Schema):
    reference: str
    kind: str
    title: str


class MatchResultOut(Schema):
    subject: SubjectOut
    verdict: Literal["match", "no-good-match"]
    verdict_reason: str
    results: dict[str, list[MatchOut]] = Field(..., description="offers、demands、related：匹配条目")
    ranked: list[MatchOut] = Field(..., description="各部分合为一个列表，按匹配程度排序")
    organisations: list[OrganisationFitOut]


# ---------------------------------------------------------------------------------------------------------
# Endpoints


@router.get("/search", response=SearchOut, summary="检索（关键词与语义），含分面与判定")
def search_listings(request, params: Query[SearchQuery]):
    result = search(params.q, params.to_filters(), limit=params.limit, offset=params.offset,
                    mode=params.mode)
    return result.as_dict()


@router.get("/listings/{path:reference}/matches", response={200: MatchResultOut, 404: Error},
            summary="条目的匹配结果（成果、需求、相关条目、相关单位）")
def listing_matches(request, reference: str, params: Query[MatchesQuery]):
    return match_listing(get_visible(request, reference), limit=params.limit).as_dict()


@router.get("/match", response=MatchResultOut, summary="按文字描述匹配")
def match_by_text(request, params: Query[MatchTextQuery]):
    return match_text(params.text, limit=params.limit).as_dict()
