"""科技专员: an out-of-province institution assigns, logs service; the Qinghai enterprise evaluates once and
records the performance pay."""

import datetime
from decimal import Decimal

import pytest

from techmarket.common.audit import history_for
from techmarket.common.errors import Conflict, InvalidInput, NotAllowed
from techmarket.platforms.services import specialists

pytestmark = pytest.mark.django_db


@pytest.fixture
def sides(org, make_user):
    institution = org("浙江测试大学", "zhejiang", "university")
    enterprise = org("格尔木测试企业", "haixi")
    return (make_user("institution-member", organisation=institution),
            make_user("enterprise-member", organisation=enterprise), institution, enterprise)


def assign(user, enterprise, **extra):
    fields = {"person_name": "陈工", "person_title": "教授", "starts_on": datetime.date(2025, 3, 1),
              "ends_on": datetime.date(2026, 2, 28), **extra}
    return specialists.assign(user, specialists.AssignmentInput(enterprise=enterprise, **fields))


def test_the_flow(sides, login):
    institution_member, enterprise_member, institution, enterprise = sides
    assignment = assign(institution_member, enterprise)
    assert assignment.institution == institution
    specialists.log_service(institution_member, assignment, datetime.date(2025, 4, 2), "现场诊断提锂工艺")
    with pytest.raises(NotAllowed):
        specialists.log_service(enterprise_member, assignment, datetime.date(2025, 4, 3), "x")
    with pytest.raises(NotAllowed):
        specialists.evaluate(institution_member, assignment, 5)
    specialists.evaluate(enterprise_member, assignment, 4, "响应及时")
    with pytest.raises(Conflict, match="只能评价一次"):
        specialists.evaluate(enterprise_member, assignment, 5)
    specialists.record_pay(enterprise_member, assignment, Decimal("50000.00"), "按服务绩效")
    assert [line.action for line in history_for(assignment)] == ["assign", "log", "evaluate", "pay"]
    page = login(enterprise_member).get(assignment.get_absolute_url())
    assert page.status_code == 200 and "响应及时" in page.content.decode() and "50000.00" in page.content.decode()


def test_bounds_and_sides(sides, org, make_user):
    institution_member, enterprise_member, institution, enterprise = sides
    with pytest.raises(InvalidInput, match="省外"):
        assign(make_user("qh", organisation=org("青海测试大学", "xining", "university")), enterprise)
    with pytest.raises(InvalidInput, match="省内企业"):
        assign(institution_member, org("北京测试企业", "beijing"))
    with pytest.raises(InvalidInput, match="不能早于"):
        assign(institution_member, enterprise, ends_on=datetime.date(2025, 1, 1))
    assignment = assign(institution_member, enterprise)
    for amount in (Decimal("-1"), Decimal("100000000000.01"), Decimal("1.001")):
        with pytest.raises(InvalidInput, match="金额"):
            specialists.record_pay(enterprise_member, assignment, amount)
    with pytest.raises(InvalidInput, match="1 到 5"):
        specialists.evaluate(enterprise_member, assignment, 6)


def test_others_do_not_see_an_assignment(sides, make_user, org, login):
    institution_member, _, _, enterprise = sides
    assignment = assign(institution_member, enterprise)
    stranger = make_user("stranger", organisation=org("无关企业", "xining"))
    assert login(stranger).get(assignment.get_absolute_url()).status_code == 404
