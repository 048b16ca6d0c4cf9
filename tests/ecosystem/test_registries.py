"""Contract-registration institutions as managed records: the conditions of 第十五条 (legal person, five or more
full-time registrars holding the certificate, premises) at and around the threshold; only a certified registrar
examines; the department appoints and removes registrars, edits the record and the prefectures served; 第十九条
sanctions show on the register; the register counts registered contracts; nobody else may change a thing."""

import datetime

import pytest
from django.contrib.auth.models import Group

from techmarket.accounts.roles import REGISTRARS
from techmarket.common.audit import history_for
from techmarket.common.errors import InvalidInput, NotAllowed, Refused
from techmarket.directory.models import Organisation, Region
from techmarket.ecosystem.models import Sanction, Target
from techmarket.ecosystem.services import complaints
from techmarket.market.models import Registry, RegistryStaff
from techmarket.market.services import registries as service

D = datetime.date


@pytest.fixture
def xining(db):
    return Registry.objects.get(code="xining")


def staff(make_user, registry, count, *, certified=True, full_time=True, prefix="r"):
    for i in range(count):
        user = make_user(f"{prefix}{registry.code}{i}")
        user.groups.add(Group.objects.get(name=REGISTRARS))
        RegistryStaff.objects.create(user=user, registry=registry, full_time=full_time,
                                     certificate_number=f"国科登字{i:04d}" if certified else "")


def ready(registry, **changes):
    registry.legal_person = changes.get("legal_person", "西宁市科技创新服务中心")
    registry.has_premises = changes.get("has_premises", True)
    registry.save()
    return registry


@pytest.mark.parametrize("certified, part_time, uncertified, met", [
    (5, 0, 0, True),  # at the threshold
    (6, 0, 0, True),  # above
    (4, 0, 0, False),  # just below
    (4, 3, 0, False),  # part-time registrars do not count
    (4, 0, 3, False),  # nor do staff without the certificate
])
def test_article_15_counts_certified_full_time_registrars(make_user, xining, certified, part_time, uncertified,
                                                          met):
    ready(xining)
    staff(make_user, xining, certified)
    staff(make_user, xining, part_time, full_time=False, prefix="p")
    staff(make_user, xining, uncertified, certified=False, prefix="u")
    unmet = service.unmet_conditions(xining)
    assert (not unmet) is met
    if not met:
        [condition] = unmet
        assert condition.clause == "第十五条（二）"
        assert f"还差 {5 - certified} 人" in condition.message


def test_article_15_legal_person_and_premises(make_user, xining):
    staff(make_user, xining, 5)
    ready(xining, legal_person="", has_premises=False)
    assert [c.clause for c in service.unmet_conditions(xining)] == ["第十五条（一）", "第十五条（三）"]
    assert "尚未登记依托的法人单位" in service.unmet_conditions(xining)[0].message


def test_only_a_certified_registrar_examines(make_user, xining):
    user = make_user("registrar")
    user.groups.add(Group.objects.get(name=REGISTRARS))
    assignment = RegistryStaff.objects.create(user=user, registry=xining)
    assert service.staff_registry(type(user).objects.get(pk=user.pk)) is None
    assignment.certificate_number = "国科登字0001"
    assignment.save()
    assert service.staff_registry(type(user).objects.get(pk=user.pk)) == xining


def test_the_department_appoints_and_removes_a_registrar(make_user, reviewer, xining):
    person = make_user("newcomer", email="newcomer@example.cn")
    staff_record = service.appoint_registrar(reviewer, xining, "NEWCOMER@example.cn", "国科登字0099", D(2024, 5, 1))
    person = type(person).objects.get(pk=person.pk)
    assert service.staff_registry(person) == xining and staff_record.certificate_issued_on == D(2024, 5, 1)
    with pytest.raises(Refused, match="已是登记机构工作人员"):
        service.appoint_registrar(reviewer, Registry.objects.get(code="haidong"), "newcomer", "国科登字0100", None)
    service.update_registrar(reviewer, staff_record, "国科登字0101", None, False)
    assert RegistryStaff.objects.get(pk=staff_record.pk).full_time is False
    service.remove_registrar(reviewer, staff_record)
    person = type(person).objects.get(pk=person.pk)
    assert service.staff_registry(person) is None and not person.groups.filter(name=REGISTRARS).exists()
    actions = [e.action for e in history_for(xining)]
    assert actions == ["registrar-appoint", "registrar-edit", "registrar-remove"]


@pytest.mark.parametrize("login, number, issued, message", [
    ("nobody", "国科登字1", None, "未找到该用户"),
    ("newcomer", "", None, "登记员证书编号"),
    ("newcomer", "国" * 41, None, "登记员证书编号不能超过 40 个字"),
    ("newcomer", "国科登字1", D(2099, 1, 1), "不能晚于今天"),
])
def test_appointment_bounds(make_user, reviewer, xining, login, number, issued, message):
    make_user("newcomer")
    with pytest.raises(InvalidInput, match=message):
        service.appoint_registrar(reviewer, xining, login, number, issued)
    assert not RegistryStaff.objects.exists()


def test_only_the_department_keeps_registries(member, outsider, xining, make_user):
    make_user("newcomer")
    for user in (member, outsider):
        with pytest.raises(NotAllowed):
            service.appoint_registrar(user, xining, "newcomer", "国科登字1", None)
        with pytest.raises(NotAllowed):
            service.update_registry(user, xining, name="x", legal_person="", has_premises=True, region_codes=[],
                                    active=True)


def test_served_prefectures_decide_where_a_party_applies(reviewer, xining):
    party = type("Party", (), {"location": "qinghai", "region_code": "haibei"})()
    assert [r.code for r in service.registries_for_party(party)] == ["haibei", "qinghai"]
    service.update_registry(reviewer, xining, name=xining.name, legal_person="西宁市科技创新服务中心",
                            has_premises=True, region_codes=["xining", "haibei"], active=True)
    assert [r.code for r in service.registries_for_party(party)] == ["xining", "haibei", "qinghai"]
    with pytest.raises(InvalidInput, match="从列表中选择"):
        service.update_registry(reviewer, xining, name=xining.name, legal_person="", has_premises=True,
                                region_codes=["beijing"], active=True)


def test_the_provincial_registry_cannot_be_switched_off(reviewer):
    provincial = service.provincial_registry()
    with pytest.raises(Refused, match="省级登记机构不能停用"):
        service.update_registry(reviewer, provincial, name=provincial.name, legal_person="", has_premises=True,
                                region_codes=[], active=False)


def test_the_seed_file_does_not_overwrite_a_managed_record(reviewer, xining):
    service.update_registry(reviewer, xining, name="西宁市技术市场服务中心（技术合同登记）", legal_person="",
                            has_premises=False, region_codes=[], active=True)
    service.sync_registries()
    assert Registry.objects.get(code="xining").name == "西宁市技术市场服务中心（技术合同登记）"


def test_article_19_sanctions(reviewer, xining):
    with pytest.raises(InvalidInput, match="请选择处理方式"):  # 第二十七条's kinds are not for a registry
        complaints.sanction(reviewer, Target.REGISTRY, xining, "revocation", D(2026, 1, 1), None, "统计失实")
    with pytest.raises(InvalidInput, match="责令限期整顿须填写截止日期"):
        complaints.sanction(reviewer, Target.REGISTRY, xining, "rectification", D(2026, 1, 1), None, "管理混乱")
    item = complaints.sanction(reviewer, Target.REGISTRY, xining, "rectification", D(2026, 11, 1), D(2027, 2, 1),
                               "统计失实，责令限期整顿")
    assert item.article == "第十九条" and item.registry == xining and item.target_key == "xining"
    assert item.in_force_on(D(2026, 12, 1)) and not item.in_force_on(D(2027, 2, 2))
    criticism = complaints.sanction(reviewer, Target.REGISTRY, xining, "criticism", D(2026, 11, 1), None, "违规登记")
    assert criticism.ends_on is None and not criticism.in_force_on(D(2026, 12, 1))


def test_register_pages(client, login, reviewer, member, xining, registered_contract, qinghai_university,
                        make_user):
    ready(xining)
    staff(make_user, xining, 5)
    seller = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    registered_contract(seller, qinghai_university, title="高原储能技术许可")
    complaints.sanction(reviewer, Target.REGISTRY, Registry.objects.get(code="haidong"), "rectification",
                        D(2026, 11, 1), D(2099, 2, 1), "统计失实")
    page = client.get("/ecosystem/registries/").content.decode()
    assert "技术合同登记机构" in page and "符合第十五条条件" in page  # xining now meets them
    assert "责令限期整顿（至 2099-02-01）" in page
    year = datetime.date.today().year
    assert f"{year} 年登记 1 项" in page  # the provincial registry registered the contract
    detail = client.get("/ecosystem/registries/xining/").content.decode()
    assert "持证专职登记员 5 人" in detail and "国科登字0000" not in detail  # names and certificates: staff only
    assert client.post("/ecosystem/registries/xining/edit/", {"name": "x"}).status_code in (302, 403)
    assert Registry.objects.get(code="xining").name != "x"
    login(member)
    assert client.post("/ecosystem/registries/xining/edit/", {"name": "x"}).status_code == 403
    login(reviewer)
    detail = client.get("/ecosystem/registries/xining/").content.decode()
    assert "国科登字0000" in detail and "任命登记员" in detail
    response = client.post("/ecosystem/registries/xining/edit/", {
        "name": "西宁市技术合同登记机构", "legal_person": "西宁市生产力促进中心", "has_premises": "on",
        "served_regions": ["xining", "haibei"], "active": "on"}, follow=True)
    assert "已保存登记机构信息" in response.content.decode()
    assert sorted(r.code for r in Registry.objects.get(code="xining").served_regions.all()) == ["haibei", "xining"]
    response = client.post("/ecosystem/registries/xining/sanction/", {
        "kind": "criticism", "starts_on": "2026-11-20", "reason": "违规登记"}, follow=True)
    assert "已作出处理决定" in response.content.decode()
    assert Sanction.objects.filter(registry=xining, kind="criticism", article="第十九条").exists()


def test_a_complaint_may_name_a_registry(member, xining):
    complaint = complaints.complain(member, Target.REGISTRY, "xining", "false-information", "登记机构统计失实")
    assert complaint.target_label == "技术合同登记机构 西宁市技术合同登记机构"


def test_api_and_export(client, reviewer, xining, make_user):
    from techmarket.ecosystem.services.exports import table

    ready(xining)
    staff(make_user, xining, 5)
    complaints.sanction(reviewer, Target.REGISTRY, xining, "rectification", D(2026, 11, 1), D(2099, 1, 1), "统计失实")
    data = client.get("/api/ecosystem/registries").json()
    [entry] = [item for item in data["items"] if item["code"] == "xining"]
    assert entry["certified_registrars"] == 5 and entry["unmet_conditions"] == []
    assert entry["sanctions"][0]["kind_label"] == "责令限期整顿" and entry["sanctions"][0]["in_force"]
    assert "国科登字" not in str(data) and entry["url"] == "/ecosystem/registries/xining/"
    header, rows = table("registries")
    [row] = [r for r in rows if r[0] == xining.name]
    assert header[3] == "持证专职登记员（人）" and row[3] == 5 and "责令限期整顿" in row[-1]
    [provincial] = [r for r in rows if r[0] == "青海省技术合同登记机构（省级）"]
    assert "第十五条（二）" in provincial[4]  # no registrars recorded yet
