"""match_listing and match_text: related listings with reasons that hold, partnership ties of Qinghai, and the
honest verdict for a topic the catalogue lacks."""

import uuid

import pytest

from techmarket.catalogue.models import Listing, ListingOrganisation
from techmarket.directory.models import Organisation, Region
from techmarket.matching.services.match import match_listing, match_text
from techmarket.matching.services.text import normalise

pytestmark = pytest.mark.django_db

LITHIUM = {f"innovation/hightech/{n}" for n in (17, 35, 39, 40, 55, 77)}
DEMAND_TEXT = ("盐湖卤水提锂高选择性铝系吸附剂中试放大",
               "针对察尔汗盐湖高镁锂比卤水，需要联合研发高选择性铝系锂吸附剂，开展卤水提锂吸附—脱附工艺中试放大，"
               "降低淡水消耗，提高碳酸锂产品纯度。")
OFFER_TEXT = ("铝系锂吸附剂及盐湖卤水提锂成套技术",
              "研制了高选择性铝系锂吸附剂，形成盐湖卤水吸附提锂—膜分离浓缩—碳酸锂沉淀成套工艺，"
              "已完成中试，可技术转让或联合开展产业化示范。")


def publish(capture, organisation: Organisation, kind: str, text: tuple[str, str]) -> Listing:
    with capture(execute=True):
        listing = Listing.objects.create(
            reference=f"test/{uuid.uuid4().hex[:8]}", kind=kind, title=text[0], description=text[1],
            status=Listing.Status.PUBLISHED, organisations_raw=organisation.name,
        )
        ListingOrganisation.objects.create(listing=listing, organisation=organisation)
    return listing


def all_matches(result):
    return [m for matches in result.sections.values() for m in matches]


def test_lithium_demand_finds_the_related_lithium_demands_with_reasons_that_hold():
    subject = Listing.objects.select_related("field").get(reference="innovation/hightech/17")
    result = match_listing(subject, limit=5)
    assert result.verdict == "match"
    assert result.subject == {"reference": subject.reference, "kind": "demand", "title": subject.title}
    assert set(result.sections) == {"offers", "related"}
    related = result.sections["related"]
    assert len(related) >= 3
    assert {m.reference for m in related[:3]} <= LITHIUM - {subject.reference}
    assert all(m.kind == "demand" for m in related)
    assert all(m.kind in ("offer", "platform") for m in result.sections["offers"])  # what can answer a demand
    assert [m.score for m in related] == sorted((m.score for m in related), reverse=True)
    candidates = {listing.reference: listing for listing in
                  Listing.objects.filter(reference__in=[m.reference for m in related]).select_related("field")}
    for match in related:
        codes = {reason.code for reason in match.reasons}
        assert "terms" in codes and "semantic" in codes, match.explanation
        candidate = candidates[match.reference]
        text = normalise(f"{candidate.title} {candidate.description}")
        shared = next(r.label for r in match.reasons if r.code == "terms").split("：", 1)[1].split("、")
        assert shared and all(term in text for term in shared), (match.reference, shared)
        assert "共同关键词" in match.explanation
        if "area" in codes:
            assert candidate.field_id == subject.field_id
            assert f"同属领域：{subject.field}" in match.explanation
    assert any("area" in {r.code for r in m.reasons} for m in related)
    # Organisations with a track record: the salt-lake institute has several of these listings.
    names = {fit.name: fit for fit in result.organisations}
    assert "中国科学院青海盐湖研究所" in names
    assert "相关条目" in names["中国科学院青海盐湖研究所"].explanation


def test_university_pairing_appears_as_a_reason(django_capture_on_commit_callbacks):
    qinghai = Organisation.objects.get(name="青海大学")
    tsinghua = Organisation.objects.get(name="清华大学")
    demand = publish(django_capture_on_commit_callbacks, qinghai, Listing.Kind.DEMAND, DEMAND_TEXT)
    offer = publish(django_capture_on_commit_callbacks, tsinghua, Listing.Kind.OFFER, OFFER_TEXT)
    result = match_listing(demand, limit=10)
    match = next(m for m in result.sections["offers"] if m.reference == offer.reference)
    assert "对口支援高校：青海大学—清华大学" in match.explanation
    for other in all_matches(result):  # the reason only where 清华大学 is among the units
        if "对口支援高校" in other.explanation:
            assert ListingOrganisation.objects.filter(listing_id=other.listing_id, organisation=tsinghua).exists()
    fit = next(f for f in result.organisations if f.name == "清华大学")
    assert "对口支援高校" in fit.explanation
    # And the other way round, from the offer.
    back = match_listing(offer, limit=10)
    assert any(m.reference == demand.reference and "对口支援高校" in m.explanation for m in back.sections["demands"])


def test_aid_pairing_appears_as_a_reason(django_capture_on_commit_callbacks):
    haixi, zhejiang = Region.objects.get(code="haixi"), Region.objects.get(code="zhejiang")
    assert haixi.aid_partner_id == zhejiang.pk
    company = Organisation.objects.create(name="格尔木测试锂业有限公司", kind=Organisation.Kind.ENTERPRISE,
                                          region=haixi)
    institute = Organisation.objects.create(name="浙江测试新材料研究院", kind=Organisation.Kind.INSTITUTE,
                                            region=zhejiang)
    demand = publish(django_capture_on_commit_callbacks, company, Listing.Kind.DEMAND, DEMAND_TEXT)
    offer = publish(django_capture_on_commit_callbacks, institute, Listing.Kind.OFFER, OFFER_TEXT)
    result = match_listing(demand, limit=10)
    match = next(m for m in result.sections["offers"] if m.reference == offer.reference)
    assert f"对口援青：{zhejiang.name}—{haixi.name}" in match.explanation
    assert result.sections["offers"][0].reference == offer.reference
    assert all("对口援青" not in m.explanation for m in all_matches(result) if m.reference != offer.reference)


@pytest.mark.parametrize("text", ["量子计算芯片设计", "手机游戏开发与发行"])
def test_text_on_an_absent_topic_gets_no_good_match(text):
    result = match_text(text, limit=5)
    assert result.verdict == "no-good-match"
    assert "目录中暂无真正相关的条目" in result.verdict_reason
    assert result.subject["reference"] == "" and result.subject["kind"] == ""


def test_text_on_a_present_topic_matches_lithium_listings():
    result = match_text("盐湖卤水提锂吸附剂", limit=5)
    assert result.verdict == "match"
    found = [m.reference for m in all_matches(result)]
    assert set(found) & LITHIUM


def test_the_more_like_this_query_asks_for_the_listing_s_most_telling_words():
    """Its terms are indexed words of the listing, the most telling by tf·idf first, each boosted by 1 + log of its
    count; a word the catalogue does not hold is left out (it cannot find anything)."""
    import math
    from collections import Counter

    from techmarket.matching.services import match as matching
    from techmarket.matching.services.engine import get_engine
    from techmarket.matching.services.text import analyse

    engine = get_engine()
    text = "盐湖提锂 盐湖提锂 吸附剂 吸附剂 吸附剂 卤水 Quenzarite"
    query = matching._more_like_this(engine, text)
    counts = Counter(analyse(text))
    assert query and all(engine.doc_freq(term) for term, _ in query)
    assert "quenzarite" not in {term for term, _ in query}
    assert all(boost == pytest.approx(1 + math.log(counts[term])) for term, boost in query)
    weights = [counts[term] * engine.idf(engine.doc_freq(term)) for term, _ in query]
    assert weights == sorted(weights, reverse=True)


def test_listing_candidates_are_ranked_by_their_probability_and_banded_by_it():
    """A listing's candidates carry the listing model's probability (Match.relevance); the ranked list follows it
    (no partnership ties among the seed's lithium listings), and a band's floor is the model's."""
    from techmarket.matching.services import relevance

    subject = Listing.objects.get(reference="innovation/hightech/17")
    ranked = match_listing(subject, limit=10).ranked
    assert len(ranked) == 10
    assert [m.relevance for m in ranked] == sorted((m.relevance for m in ranked), reverse=True)
    floor = relevance.calibration().listing.floor
    assert all((m.band != "weak") == (m.relevance >= floor) for m in ranked)
    assert {m.reference for m in ranked[:3]} <= LITHIUM


def test_an_organisation_s_track_record_counts_listings_from_a_small_probability(monkeypatch):
    """Organisations are suggested for listings at least ORG_PROBABILITY likely to be partners: raising that bar
    above every candidate leaves only the institutions strong in the subject's field."""
    from techmarket.matching.services import match as matching

    subject = Listing.objects.get(reference="innovation/hightech/17")
    assert any(fit.listings for fit in match_listing(subject, limit=10).organisations)
    monkeypatch.setattr(matching, "ORG_PROBABILITY", 1.01)
    assert not any(fit.listings for fit in match_listing(subject, limit=10).organisations)


def test_matching_on_an_empty_index_answers_with_nothing():
    """Before the first index is built (or with nothing public), a listing's matches are empty, not an error."""
    from techmarket.matching.services.engine import Snapshot

    result = match_listing(Listing.objects.get(reference="innovation/hightech/17"), limit=5, engine=Snapshot.empty())
    assert result.ranked == [] and result.verdict == "no-good-match"
    assert all(matches == [] for matches in result.sections.values())


def test_a_partner_that_names_the_class_where_the_listing_names_the_member_shares_its_concept(
        django_capture_on_commit_callbacks):
    """A rhubarb offer and a demand for work on 道地药材 share no word, but both are about 中药材: the demand's
    concept column is positive for the offer, 0 for a lithium listing (none of the demand's concepts), and the
    offer's reasons name the shared concept in words."""
    from techmarket.matching.services import match as matching
    from techmarket.matching.services.engine import EngineFilters, get_engine

    org = Organisation.objects.create(name="测试中藏药公司", kind=Organisation.Kind.ENTERPRISE)
    other = Organisation.objects.create(name="测试药物研究所", kind=Organisation.Kind.INSTITUTE)
    demand = publish(django_capture_on_commit_callbacks, org, Listing.Kind.DEMAND,
                     ("道地药材深加工与制剂开发", "本公司希望联合开发道地药材的深加工产品和新制剂，提高附加值。"))
    offer = publish(django_capture_on_commit_callbacks, other, Listing.Kind.OFFER,
                    ("唐古特大黄有效成分提取", "掌握唐古特大黄蒽醌类成分的高效提取纯化工艺，可技术转让。"))
    engine = get_engine()
    subject = matching._subject_for_listing(engine, demand)
    assert "中药材" in subject.concepts
    filters = EngineFilters(exclude_ids=(demand.pk,), exclude_organisations=tuple(subject.org_ids))
    candidates, _, columns = matching.candidate_columns(engine, subject, filters, engine.filter_mask(filters))
    column = dict(zip(candidates.tolist(), columns["concepts"].tolist(), strict=True))
    slot_of = {int(engine.listing_ids[s]): s for s in candidates.tolist()}
    assert column[slot_of[offer.pk]] > 0
    lithium = Listing.objects.get(reference="innovation/hightech/17")
    assert column.get(slot_of.get(lithium.pk), 0.0) == 0.0
    found = next(m for m in match_listing(demand, limit=20).ranked if m.reference == offer.reference)
    assert "共同主题：" in found.explanation and "中药材" in found.explanation
