"""科技体检: an enterprise answers the questionnaire and describes its technical bottlenecks; the report compares
its figures with peers (aggregates of at least `min_peers` enterprises only); each bottleneck becomes a candidate
demand — classified by the catalogue's classifier, pre-filled — that the enterprise publishes into the library in
one step (created and submitted for review through the catalogue's services)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from techmarket.common.audit import log_action
from techmarket.common.errors import NotFound, Refused
from techmarket.common.permissions import require
from techmarket.enterprises.models import Checkup, CheckupAction, CheckupDemand
from techmarket.enterprises.services.questionnaire import (
    Metric,
    check_answers,
    check_bottlenecks,
    field_choices,
    questionnaire,
)

NOT_MEMBER = "请先登录，并由省科技厅核验为本单位成员后再进行科技体检。"


@transaction.atomic
def complete(user, answers: dict, bottlenecks: list[tuple[str, str]]) -> Checkup:
    """Record a check-up of the user's organisation, or raise InvalidInput and record nothing."""
    require(user, "enterprises.run_checkup", message=NOT_MEMBER)
    checkup = Checkup.objects.create(organisation=user.organisation, answers=check_answers(answers),
                                     bottlenecks=check_bottlenecks(bottlenecks), completed_by=user)
    log_action(checkup, CheckupAction.COMPLETE, user)
    from techmarket.enterprises.services.points import recompute

    recompute(user.organisation)  # the check-up's figures are facts of the innovation points
    return checkup


NOT_FOR = "只有为该企业服务的科技专员（选派单位的已核验成员，服务期内）或企业所在市州科技局的审核人员可以代为体检。"


def run_by(user, organisation) -> str:
    """How the user may run a check-up of the organisation on its behalf: "specialist", "prefecture" or ""."""
    from techmarket.enterprises.rules import is_prefecture_of, is_specialist_for

    if is_specialist_for(user, organisation):
        return "specialist"
    return "prefecture" if is_prefecture_of(user, organisation) else ""


@transaction.atomic
def complete_for(user, organisation, answers: dict, bottlenecks: list[tuple[str, str]]) -> Checkup:
    """A check-up run on the enterprise's behalf by its 科技专员 or its prefecture bureau: recorded as the enterprise's
    (its members see it and publish the demands from it), the person who ran it named; the enterprise is told."""
    from techmarket.common.notifications import notify
    from techmarket.enterprises.services.points import recompute

    require(user, "enterprises.run_checkup_for", organisation, message=NOT_FOR)
    if organisation.kind != organisation.Kind.ENTERPRISE:
        raise Refused("只能为企业代为体检。")
    checkup = Checkup.objects.create(organisation=organisation, answers=check_answers(answers),
                                     bottlenecks=check_bottlenecks(bottlenecks), completed_by=user,
                                     run_by=run_by(user, organisation))
    log_action(checkup, CheckupAction.COMPLETE_FOR, user, to_value=checkup.get_run_by_display())
    members = get_user_model().objects.filter(is_active=True, is_verified=True, organisation=organisation)
    notify(members, "enterprises.checkup-for",
           f"{checkup.get_run_by_display()}：{organisation.name}的科技体检报告已生成",
           "可在报告中把技术瓶颈发布为技术需求。", checkup.get_absolute_url())
    recompute(organisation)
    return checkup


def enterprises_for(user) -> list:
    """The enterprises the user may run a check-up for: those its institution's 科技专员 serve today, and those of
    the prefectures it reviews."""
    from django.db.models import Q
    from django.utils import timezone

    from techmarket.directory.models import Organisation
    from techmarket.platforms.services.specialists import visible

    if not (user.is_authenticated and user.is_active):
        return []
    today = timezone.localdate()
    ids = set()
    if user.organisation_id and user.is_verified:
        ids |= set(visible(user).filter(institution_id=user.organisation_id, starts_on__lte=today,
                                        ends_on__gte=today).values_list("enterprise_id", flat=True))
    regions = list(user.region_reviews.values_list("region_id", flat=True))
    query = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    return list(query.filter(Q(pk__in=ids) | Q(region_id__in=regions)).order_by("name")[:500])


# The report.

def _value(metric: Metric, answers: dict) -> Decimal | None:
    numerator = Decimal(str(answers.get(metric.numerator, "0")))
    if not metric.denominator:
        return numerator
    denominator = Decimal(str(answers.get(metric.denominator, "0")))
    if denominator == 0:
        return None
    return numerator / denominator * (100 if metric.percent else 1)


@dataclass
class Comparison:
    label: str
    value: Decimal | None
    peer_median: Decimal | None
    percent: bool

    @property
    def position(self) -> str:
        if self.value is None or self.peer_median is None:
            return ""
        if self.value > self.peer_median:
            return "高于"
        return "低于" if self.value < self.peer_median else "持平"

    @staticmethod
    def text(value: Decimal | None, percent: bool) -> str:
        if value is None:
            return "—"
        return f"{value:.1f}%" if percent else f"{value.normalize():f}"


@dataclass
class Report:
    checkup: Checkup
    field_name: str
    peers: str  # who the figures are compared with, in words; "" when nobody
    peer_count: int
    comparisons: list[Comparison]


def latest_checkups(exclude_organisation: int | None = None) -> list[Checkup]:
    """The latest check-up of each organisation."""
    latest: dict[int, Checkup] = {}
    for checkup in Checkup.objects.order_by("organisation_id", "-completed_at", "-id"):
        latest.setdefault(checkup.organisation_id, checkup)
    return [c for org, c in latest.items() if org != exclude_organisation]


def report(checkup: Checkup) -> Report:
    rules = questionnaire()
    others = latest_checkups(exclude_organisation=checkup.organisation_id)
    field = checkup.answers.get("field", "")
    field_name = field_choices().get(field, "")
    same_field = [c for c in others if c.answers.get("field") == field]
    if len(same_field) >= rules.min_peers:
        peers, label = same_field, f"同属{field_name}领域的 {len(same_field)} 家企业"
    elif len(others) >= rules.min_peers:
        peers, label = others, f"全省参加科技体检的 {len(others)} 家企业（同领域企业不足 {rules.min_peers} 家）"
    else:
        peers, label = [], ""
    comparisons = []
    for metric in rules.metrics:
        values = [v for v in (_value(metric, c.answers) for c in peers) if v is not None]
        median = Decimal(statistics.median(values)) if len(values) >= rules.min_peers else None
        comparisons.append(Comparison(metric.label, _value(metric, checkup.answers), median, metric.percent))
    return Report(checkup, field_name, label, len(peers), comparisons)


# Candidate demands.

@dataclass
class Candidate:
    index: int
    title: str
    description: str
    field_name: str
    field_id: int | None
    modes: list[str]
    listing: object | None  # the published listing, once published


def _description(checkup: Checkup, bottleneck: dict) -> str:
    products = checkup.answers.get("products", "")
    return bottleneck["text"] + (f"\n\n企业主要产品：{products}" if products else "")


def candidates(checkup: Checkup) -> list[Candidate]:
    from techmarket.catalogue.models import CooperationMode, Listing
    from techmarket.catalogue.services.classification import classify

    published = dict(checkup.demands.values_list("index", "listing_reference"))
    listings = {x.reference: x for x in Listing.objects.filter(reference__in=published.values())}
    modes = list(CooperationMode.objects.filter(code__in=questionnaire().bottlenecks.modes).values_list(
        "name", flat=True))
    result = []
    for index, bottleneck in enumerate(checkup.bottlenecks):
        area = classify(bottleneck["title"], bottleneck["text"]).area
        result.append(Candidate(index, bottleneck["title"], _description(checkup, bottleneck),
                                f"{area.parent.name} · {area.name}" if area else "待审核员分类",
                                area.pk if area else None, modes, listings.get(published.get(index))))
    return result


def publish(user, checkup: Checkup, index: int):
    """Publish bottleneck `index` as a demand: created and submitted for review in one transaction; publishing
    the same bottleneck again returns the listing already made."""
    from techmarket.catalogue.models import CooperationMode, Field, Listing
    from techmarket.catalogue.services import lifecycle
    from techmarket.catalogue.services.listings import ListingInput, create_listing

    require(user, "enterprises.publish_from_checkup", checkup, message=NOT_MEMBER)
    if not 0 <= index < len(checkup.bottlenecks):
        raise NotFound("未找到该技术瓶颈。")
    existing = checkup.demands.filter(index=index).first()
    if existing is not None:
        return Listing.objects.get(reference=existing.listing_reference)
    candidate = candidates(checkup)[index]
    try:
        with transaction.atomic():
            Checkup.objects.select_for_update().get(pk=checkup.pk)
            if checkup.demands.filter(index=index).exists():
                raise IntegrityError
            listing = create_listing(user, ListingInput(
                kind=Listing.Kind.DEMAND, title=candidate.title, description=candidate.description,
                modes=list(CooperationMode.objects.filter(code__in=questionnaire().bottlenecks.modes)),
                field=Field.objects.filter(pk=candidate.field_id).first()))
            listing = lifecycle.transition(listing, Listing.Status.SUBMITTED, user, reason="据企业科技体检发布")
            CheckupDemand.objects.create(checkup=checkup, index=index, listing_reference=listing.reference)
            log_action(checkup, CheckupAction.PUBLISH, user, to_value=listing.reference,
                       data={"index": index, "title": candidate.title})
    except IntegrityError:
        existing = checkup.demands.filter(index=index).first()
        if existing is None:
            raise Refused("发布未完成，请重试。") from None
        return Listing.objects.get(reference=existing.listing_reference)
    return listing


def checkups_of(user) -> list[Checkup]:
    if user.is_authenticated and getattr(user, "organisation_id", None):
        return list(Checkup.objects.filter(organisation_id=user.organisation_id))
    return []
