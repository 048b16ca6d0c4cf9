"""科技体检: the questionnaire's bounds; the report compares with peers only as aggregates of five or more; each
bottleneck becomes a classified candidate demand that is published (created and submitted) once; only the
organisation's members see and publish; the PDF carries the same figures."""

from decimal import Decimal

import pytest

from techmarket.catalogue.models import Listing
from techmarket.common.errors import InvalidInput, NotAllowed
from techmarket.directory.models import Organisation, Region
from techmarket.enterprises.models import Checkup, CheckupDemand
from techmarket.enterprises.services import checkups
from tests.enterprises.conftest import BOTTLENECKS, answers


@pytest.mark.parametrize("changes, message", [
    ({"employees": ""}, "请填写“职工总数”"),
    ({"employees": "0"}, "须在 1 到 1000000人 之间"),
    ({"employees": "12.5"}, "须为整数"),
    ({"revenue_wan": "abc"}, "须为数字"),
    ({"revenue_wan": "1.234"}, "最多两位小数"),
    ({"rd_staff": "201"}, "“研发人员”不能多于“职工总数”"),
    ({"field": "astrology"}, "请从列表中选择“所属技术领域”"),
    ({"rd_institution": "x"}, "请从列表中选择“研发机构”"),
    ({"products": "产" * 1001}, "最多 1000 字"),
])
def test_answers_out_of_bounds_are_refused(enterprise_member, changes, message):
    with pytest.raises(InvalidInput, match=message):
        checkups.complete(enterprise_member, answers(**changes), BOTTLENECKS)
    assert not Checkup.objects.exists()


@pytest.mark.parametrize("items, message", [
    ([], "请至少描述一个技术瓶颈"),
    ([("太短", "不够十个字")], "请用 10–2000 字描述"),
    ([("", "没有标题的瓶颈描述，超过十个字。")], "一行标题"),
    ([(f"瓶颈{i}", "这是一个足够长的技术瓶颈描述。") for i in range(6)], "最多描述 5 个"),
])
def test_bottleneck_bounds(enterprise_member, items, message):
    with pytest.raises(InvalidInput, match=message):
        checkups.complete(enterprise_member, answers(), items)


def test_only_verified_members_run_a_checkup(unverified, outsider):
    for user in (unverified, outsider):
        with pytest.raises(NotAllowed):
            checkups.complete(user, answers(), BOTTLENECKS)


def _peer(make_user, i, field="salt-lake", **changes):
    org = Organisation.objects.create(name=f"同行企业{i}", region=Region.objects.get(code="xining"))
    return checkups.complete(make_user(f"peer{i}", organisation=org), answers(field=field, **changes), BOTTLENECKS)


def test_the_report_compares_only_with_five_or_more(enterprise_member, make_user):
    mine = checkups.complete(enterprise_member, answers(), BOTTLENECKS)  # intensity 3 %
    for i in range(4):
        _peer(make_user, i, rd_spending_wan=str(1000 * (i + 1)))  # 2 %, 4 %, 6 %, 8 %
    report = checkups.report(mine)
    assert report.peers == "" and all(c.peer_median is None for c in report.comparisons)
    _peer(make_user, 4, rd_spending_wan="5000")  # 10 %: five peers of the field now
    report = checkups.report(mine)
    assert report.peers == "同属盐湖领域的 5 家企业"
    intensity = report.comparisons[0]
    assert intensity.value == Decimal(3) and intensity.peer_median == Decimal(6) and intensity.position == "低于"


def test_too_few_of_the_field_compares_with_the_province(enterprise_member, make_user):
    mine = checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    for i in range(5):
        _peer(make_user, i, field="clean-energy")
    report = checkups.report(mine)
    assert report.peers.startswith("全省参加科技体检的 5 家企业") and report.peer_count == 5


def test_a_later_checkup_replaces_the_earlier_as_a_peer(enterprise_member, make_user):
    mine = checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    peers = [_peer(make_user, i) for i in range(5)]
    checkups.complete(peers[0].completed_by, answers(rd_spending_wan="0"), BOTTLENECKS)
    assert checkups.report(mine).peer_count == 5


def test_bottlenecks_become_classified_demands_published_once(enterprise_member, enterprise, member):
    checkup = checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    first, second = checkups.candidates(checkup)
    assert first.title == "低品位卤水提锂吸附剂寿命短" and "盐湖" in first.field_name
    assert "企业主要产品：碳酸锂" in first.description and first.modes == ["联合攻关", "技术咨询与服务"]
    listing = checkups.publish(enterprise_member, checkup, 0)
    assert listing.kind == Listing.Kind.DEMAND and listing.status == Listing.Status.SUBMITTED
    assert listing.owner == enterprise and listing.field is not None and listing.field.parent.code == "salt-lake"
    assert checkups.publish(enterprise_member, checkup, 0) == listing  # again: the same listing
    assert CheckupDemand.objects.count() == 1 and Listing.objects.filter(title=first.title).count() == 1
    assert checkups.candidates(checkup)[0].listing == listing
    with pytest.raises(NotAllowed):
        checkups.publish(member, checkup, 1)  # another organisation's member


def test_pages_and_pdf(client, login, enterprise_member, member, reviewer):
    login(enterprise_member)
    form = {**answers(), "bottleneck_title_1": BOTTLENECKS[0][0], "bottleneck_text_1": BOTTLENECKS[0][1]}
    response = client.post("/enterprises/checkup/", form, follow=True)
    page = response.content.decode()
    assert "科技体检报告" in page and "低品位卤水提锂吸附剂寿命短" in page and "暂不作对比" in page
    checkup = Checkup.objects.get()
    response = client.post(f"/enterprises/checkup/{checkup.pk}/publish/0/", follow=True)
    assert "已发布技术需求" in response.content.decode()
    pdf = client.get(f"/enterprises/checkup/{checkup.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.post("/enterprises/checkup/", {**form, "rd_staff": "9999"})
    assert "不能多于" in bad.content.decode() and Checkup.objects.count() == 1
    login(member)
    assert client.get(checkup.get_absolute_url()).status_code == 404
    assert client.post(f"/enterprises/checkup/{checkup.pk}/publish/0/").status_code == 404
    login(reviewer)
    assert client.get(checkup.get_absolute_url()).status_code == 200  # the department sees every check-up
