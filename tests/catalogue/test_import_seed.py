"""The seed compilation (data/seed/), imported once by conftest: what the catalogue holds afterwards."""

from collections import Counter

import pytest
from django.conf import settings

from techmarket.catalogue.importers.compilation_text import parse_compilation_text
from techmarket.catalogue.importers.loader import import_file
from techmarket.catalogue.models import Listing
from techmarket.common.audit import history_for
from techmarket.directory.models import Organisation, Person
from tests.seed_counts import BY_KIND, BY_SECTION, DECLARED, LISTINGS

pytestmark = pytest.mark.django_db


def test_seed_holds_177_items_in_the_declared_sections():
    counts = Counter(Listing.objects.values_list("source_section", flat=True))
    assert counts == BY_SECTION


def test_offers_and_demands_are_told_apart_by_cooperation_mode():
    kinds = Counter(Listing.objects.values_list("kind", flat=True))
    assert kinds == BY_KIND
    offer = Listing.objects.get(reference="innovation/hightech/1")  # 技术转让/技术许可/技术作价入股
    assert offer.kind == Listing.Kind.OFFER
    assert set(offer.modes.values_list("code", flat=True)) == {"transfer", "licensing", "equity"}
    assert Listing.objects.get(reference="innovation/hightech/5").kind == Listing.Kind.DEMAND  # 联合研发


def test_references_use_position_in_file_order_and_keep_the_misprinted_number():
    listing = Listing.objects.get(reference="innovation/hightech/6")
    assert listing.title == "晶硅光伏组件回收利用技术研究"
    misprinted = Listing.objects.get(reference="innovation/hightech/59")
    assert misprinted.source_printed_number == "50"
    assert misprinted.title.startswith("锡铁山铅锌矿")
    assert misprinted.source_location == "line 966"


def test_wrapped_cells_are_rejoined():
    # 合作方式 "联合\n研发" and a title broken over two lines.
    agri = Listing.objects.get(reference="innovation/agriculture/2")
    assert list(agri.modes.values_list("name", flat=True)) == ["联合研发"]
    title = Listing.objects.get(reference="innovation/hightech/68").title
    assert "\n" not in title and "胁迫萌发工艺研究（青海省青稞资源综合利用工程技术" in title


def test_one_unit_written_several_ways_is_one_organisation():
    salt_lake = Organisation.objects.get(name="中国科学院青海盐湖研究所")
    # Written 中国科学院青海盐湖研究所 in the platform section and 青海盐湖研究所 in hightech/18-20.
    refs = set(salt_lake.listings.values_list("reference", flat=True))
    assert {"platform/4", "innovation/hightech/18", "innovation/hightech/20"} <= refs
    assert not Organisation.objects.filter(name="青海盐湖研究所").exists()


def test_multi_unit_cells_give_lead_and_partners():
    listing = Listing.objects.get(reference="innovation/hightech/29")
    links = list(listing.organisation_links.select_related("organisation"))
    names = [link.organisation.name for link in links]
    assert names == ["青海大学", "北京启迪清洁能源科技有限公司", "国网青海省电力公司"]
    assert [link.role for link in links] == ["lead", "partner", "partner"]
    assert listing.owner.name == "青海大学"


def test_contacts_are_people_shared_across_units():
    person = Person.objects.get(name="张春满")
    assert person.phones == ["0971-8249950"] and person.emails == ["cqch339@qhkjt.net"]
    assert person.listings.count() == 4  # 酒尾利用, 枸杞机械化, 牛羊肉, 孵化器
    links = Listing.objects.get(reference="innovation/hightech/1").contact_links.select_related("person")
    assert [(link.person.name, link.person.phones) for link in links] == [
        ("梅生伟", ["13901093427", "0971-5311000"]), ("司杨", ["13519745628"])  # merged with hightech/29
    ]


def test_phone_formatted_as_an_amount_is_repaired():
    assert Person.objects.get(name="薛红梅").phones == ["13007796399"]


def test_every_listing_is_classified_graded_and_published():
    assert not Listing.objects.filter(field__isnull=True).exists()
    assert not Listing.objects.exclude(grade__in=["A", "B", "C"]).exists()
    assert set(Listing.objects.values_list("status", flat=True)) == {"published"}
    lithium = Listing.objects.get(reference="innovation/hightech/17")
    assert lithium.field.code == "salt-lake.lithium"
    assert lithium.grade == "A" and lithium.grade_basis["criteria"]


def test_regions_come_from_names_and_known_organisations():
    assert Organisation.objects.get(name="清华大学").region.code == "beijing"
    assert Organisation.objects.get(name="格尔木亿林枸杞科技开发有限公司").region.code == "haixi"
    assert Organisation.objects.get(name="青海大学").region.code == "qinghai"
    assert Organisation.objects.get(name="青海大学").kind == "university"
    assert Organisation.objects.get(name="青海省农林科学院").kind == "institute"


def test_reimport_updates_in_place_and_keeps_reviewer_choices(reviewer):
    from techmarket.catalogue.models import Field
    from techmarket.catalogue.services.listings import reclassify, regrade

    listing = Listing.objects.get(reference="platform/1")
    reclassify(reviewer, listing, Field.objects.get(code="biomedicine.tibetan"), "冬虫夏草属中藏药")
    regrade(reviewer, listing, "C", "测试")
    before = (Listing.objects.count(), Organisation.objects.count(), Person.objects.count())

    report = import_file(settings.TECHMARKET_SEED_FILE)

    assert report.listings == {"unchanged": LISTINGS}
    assert (Listing.objects.count(), Organisation.objects.count(), Person.objects.count()) == before
    listing.refresh_from_db()
    assert listing.field.code == "biomedicine.tibetan" and listing.grade == "C"
    reimport_events = history_for(listing).filter(action="import").exclude(reason__startswith="imported")
    assert not reimport_events.exists()


def test_parser_reads_part_three_only():
    parsed = parse_compilation_text(settings.TECHMARKET_SEED_FILE)
    assert not parsed.errors
    assert len(parsed.rows) == LISTINGS
    assert parsed.title == f"第三部分 科技合作需求（{LISTINGS}项）"
    declared = {s.key: s.declared_count for s in parsed.sections}
    assert declared["innovation"] == DECLARED["innovation"] and declared["talent"] == DECLARED["talent"]
