"""Listings: reading (anyone), writing and lifecycle transitions (session users).

Every query and every write goes through catalogue.services: visibility, filters and permissions are
decided there, exactly as for the web interface.
"""

from contextlib import contextmanager

from ninja import Query, Router, Status
from ninja.errors import HttpError, ValidationError

from techmarket.api.schemas import (
    Error,
    ListingIn,
    ListingOut,
    ListingPage,
    ListingPatch,
    ListingQuery,
    TransitionIn,
    listing_out,
    with_relations,
)
from techmarket.api.security import session_auth
from techmarket.catalogue.models import CooperationMode, Field, Listing
from techmarket.catalogue.services.lifecycle import transition
from techmarket.catalogue.services.listings import (
    ListingInput,
    ListingInputError,
    create_listing,
    filter_listings,
    update_listing,
    visible_listings,
)

router = Router(tags=["listings"])

NOT_FOUND = "未找到该条目，或您无权查看。"
WRITE_ERRORS = {401: Error, 403: Error, 404: Error}


def get_visible(request, reference: str) -> Listing:
    """The listing if the user may see it, else a 404 (whether it exists is not revealed)."""
    if "\x00" in reference or len(reference) > Listing._meta.get_field("reference").max_length:
        raise HttpError(404, NOT_FOUND)
    listing = with_relations(visible_listings(request.user)).filter(reference=reference).first()
    if listing is None:
        raise HttpError(404, NOT_FOUND)
    return listing


def _reload(request, listing: Listing) -> dict:
    return listing_out(request, with_relations(Listing.objects.filter(pk=listing.pk)).get())


def _body_error(name: str, message: str) -> ValidationError:
    return ValidationError([{"type": "value_error", "loc": ["body", "payload", name], "msg": message}])


@contextmanager
def _input_errors():
    """A value the service refuses (common.bounds) is a 422 like the schema's own refusals."""
    try:
        yield
    except ListingInputError as error:
        raise _body_error(error.field, str(error)) from None


def _modes(codes: list[str]) -> list[CooperationMode]:
    by_code = CooperationMode.objects.in_bulk(codes, field_name="code")
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise _body_error("modes", f"未知的合作方式代码：{'、'.join(unknown)}")
    return [by_code[code] for code in dict.fromkeys(codes)]


def _field(code: str | None) -> Field | None:
    if code is None:
        return None
    field = Field.objects.filter(code=code, parent__isnull=False).first()
    if field is None:
        raise _body_error("field", f"“{code}”不是二级领域代码。")
    return field


def _input(payload: ListingIn | ListingPatch, current: Listing | None = None) -> ListingInput:
    """The service's input from a full body, or from a partial one completed with the listing's values."""
    given = payload.model_fields_set if isinstance(payload, ListingPatch) else None

    def value(name, current_value):
        return getattr(payload, name) if given is None or name in given else current_value

    return ListingInput(
        kind=value("kind", current and current.kind),
        title=value("title", current and current.title),
        description=value("description", current and current.description),
        modes=_modes(value("modes", current and [m.code for m in current.modes.all()])),
        field=_field(value("field", current and current.field and current.field.code)),
        trl=value("trl", current and current.trl),
        budget_wan=value("budget_wan", current and current.budget_wan),
        valid_until=value("valid_until", current and current.valid_until),
    )


@router.get("", response=ListingPage, summary="列出可见条目（筛选、分页）")
def list_listings(request, params: Query[ListingQuery]):
    qs = filter_listings(params.to_filters(), request.user)
    page = with_relations(qs)[params.offset: params.offset + params.limit]
    return {
        "count": qs.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": [listing_out(request, listing) for listing in page],
    }


@router.post("", response={201: ListingOut, **WRITE_ERRORS}, auth=session_auth,
             summary="新建条目（草稿）")
def create(request, payload: ListingIn):
    with _input_errors():
        listing = create_listing(request.auth, _input(payload))
    return Status(201, _reload(request, listing))


# Registered before the detail route: its {path:reference} would otherwise swallow ".../transitions".
@router.post("/{path:reference}/transitions", response={200: ListingOut, 400: Error, **WRITE_ERRORS},
             auth=session_auth, summary="变更状态（提交、审核、撤回等）")
def create_transition(request, reference: str, payload: TransitionIn):
    listing = get_visible(request, reference)
    transition(listing, payload.to_status, user=request.auth, reason=payload.reason,
               valid_until=payload.valid_until)
    return _reload(request, listing)


@router.get("/{path:reference}", response={200: ListingOut, 404: Error}, summary="条目详情")
def get_listing(request, reference: str):
    return listing_out(request, get_visible(request, reference))


@router.put("/{path:reference}", response={200: ListingOut, **WRITE_ERRORS}, auth=session_auth,
            summary="修改条目（全部字段）")
def replace_listing(request, reference: str, payload: ListingIn):
    listing = get_visible(request, reference)
    with _input_errors():
        update_listing(request.auth, listing, _input(payload))
    return _reload(request, listing)


@router.patch("/{path:reference}", response={200: ListingOut, **WRITE_ERRORS}, auth=session_auth,
              summary="修改条目（部分字段）")
def edit_listing(request, reference: str, payload: ListingPatch):
    listing = get_visible(request, reference)
    with _input_errors():
        update_listing(request.auth, listing, _input(payload, current=listing))
    return _reload(request, listing)
