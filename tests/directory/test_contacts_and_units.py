import pytest

from techmarket.directory.models import Organisation, OrganisationAlias
from techmarket.directory.services.contacts import parse_contacts
from techmarket.directory.services.organisations import guess_kind, resolve_unit, split_units

pytestmark = pytest.mark.django_db


def entries(raw):
    return [(e.name, e.phones, e.emails, e.organisation_hint) for e in parse_contacts(raw).entries]


def test_name_then_phones_and_emails():
    assert entries("郭全兴\n0971-8215400\n672435572@qq.com") == [
        ("郭全兴", ["0971-8215400"], ["672435572@qq.com"], "")]


def test_two_people_each_with_their_phone():
    assert entries("梅生伟\n13901093427\n司杨\n13519745628\n547738878@qq.com") == [
        ("梅生伟", ["13901093427"], [], ""), ("司杨", ["13519745628"], ["547738878@qq.com"], "")]


def test_names_listed_together_are_paired_with_phones_in_order():
    assert entries("贾昆，杨立滨\n13997437015\n18797160393") == [
        ("贾昆", ["13997437015"], [], ""), ("杨立滨", ["18797160393"], [], "")]


def test_name_glued_to_its_phone_and_area_code_without_dash():
    assert entries("张伟薇13311665537") == [("张伟薇", ["13311665537"], [], "")]
    assert entries("韩凤清\n09716309962") == [("韩凤清", ["0971-6309962"], [], "")]


def test_organisation_before_a_person_is_a_hint_not_a_person():
    assert entries("青海省农林科学院\n肖明\n13519718389\nmhmdxiao@163.com") == [
        ("肖明", ["13519718389"], ["mhmdxiao@163.com"], "青海省农林科学院")]


def test_office_line_without_a_person():
    assert entries("海西州科技局\n0977-8244861") == [("海西州科技局", ["0977-8244861"], [], "海西州科技局")]


def test_ambiguous_cell_is_warned_about():
    parsed = parse_contacts("石生斌,马生毅\n13997235040，0971-6322969\n18797160000")
    assert [e.name for e in parsed.entries] == ["石生斌", "马生毅"]
    assert all(len(e.phones) == 3 for e in parsed.entries)
    assert parsed.warnings


def test_split_units_keeps_parentheses_together():
    assert split_units("青海省水利水电科学研究院有限公司（青海省水资源高效利用工程技术研究中心）、北京林业大学") == [
        "青海省水利水电科学研究院有限公司（青海省水资源高效利用工程技术研究中心）", "北京林业大学"]


def test_parenthesised_name_becomes_an_alias():
    resolved = resolve_unit("青海测试研究院有限公司（青海省测试工程技术研究中心）")
    assert resolved.created and resolved.organisation.name == "青海测试研究院有限公司"
    assert OrganisationAlias.objects.get(name="青海省测试工程技术研究中心").organisation == resolved.organisation
    again = resolve_unit("青海省测试工程技术研究中心")
    assert not again.created and again.organisation == resolved.organisation


@pytest.mark.parametrize("name,kind", [
    ("青海大学", Organisation.Kind.UNIVERSITY),
    ("中国科学院青海盐湖研究所", Organisation.Kind.INSTITUTE),
    ("青海省畜牧兽医科学院", Organisation.Kind.INSTITUTE),
    ("青海大学附属医院", Organisation.Kind.HOSPITAL),
    ("西部矿业股份有限公司", Organisation.Kind.ENTERPRISE),
    ("海南州科技局", Organisation.Kind.GOVERNMENT),
    ("青海省科技企业孵化器协会", Organisation.Kind.ASSOCIATION),
    ("青海省相关企业", Organisation.Kind.GROUP),
])
def test_kind_is_guessed_from_the_name(name, kind):
    assert guess_kind(name) == kind
