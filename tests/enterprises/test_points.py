"""创新积分制: totals computed by hand from data/enterprises/innovation_points.yaml for a table of enterprises; a
changed fact changes the score and adds a line to the history; an unchanged one adds none."""

from decimal import Decimal

import pytest

from techmarket.enterprises.models import InnovationScore
from techmarket.enterprises.services import checkups, points
from tests.enterprises.conftest import BOTTLENECKS, answers

D = Decimal
# facts → total, by hand from the weights file (weight × the share of the highest step reached):
TABLE = [
    # 研发强度 3 % → 20×0.7=14; 研发人员 15 % → 15×0.7=10.5; 发明专利 12 → 15; 其他知识产权 40 → 10;
    # 营业收入 50000 → 15; 设备 3000 → 5; 高级职称 7.5 % → 5×0.5=2.5; 合同 0, 需求 0 → 0.
    ("a mature manufacturer", {"rd_intensity": "3", "rd_staff_share": "15", "invention_patents": "12",
                               "other_ip": "40", "revenue_wan": "50000", "equipment_wan": "3000",
                               "senior_staff_share": "7.5", "registered_contracts": "0",
                               "published_demands": "0"}, "72.00"),
    # 研发强度 0.67 % → 0; 研发人员 5 % → 15×0.4=6; 其他知识产权 1 → 10×0.3=3; 合同 3 → 10; 需求 1 → 5.
    ("a small firm active on the platform", {"rd_intensity": "0.67", "rd_staff_share": "5",
                                             "invention_patents": "0", "other_ip": "1", "revenue_wan": "300",
                                             "equipment_wan": "50", "senior_staff_share": "0",
                                             "registered_contracts": "3", "published_demands": "1"}, "24.00"),
    # Every figure exactly at its top step: the full 100.
    ("at every top step", {"rd_intensity": "5", "rd_staff_share": "20", "invention_patents": "10", "other_ip": "30",
                           "revenue_wan": "20000", "equipment_wan": "1000", "senior_staff_share": "10",
                           "registered_contracts": "3", "published_demands": "1"}, "100.00"),
    # Just below every first step, and no check-up figures at all: nothing.
    ("just below every first step", {"rd_intensity": "0.99", "rd_staff_share": "4.99", "invention_patents": "0",
                                     "other_ip": "0", "revenue_wan": "499.99", "equipment_wan": "99.99",
                                     "senior_staff_share": "4.99", "registered_contracts": "0",
                                     "published_demands": "0"}, "0.00"),
    ("no check-up yet", {"registered_contracts": "0", "published_demands": "0"}, "0.00"),
]


@pytest.mark.parametrize("name, facts, expected", TABLE, ids=[row[0] for row in TABLE])
def test_scores_by_hand(name, facts, expected):
    total, lines = points.compute({k: D(v) for k, v in facts.items()})
    assert total == D(expected)
    assert sum(line.weight for line in lines) == 100


def test_a_derivation_line_says_the_step_reached():
    _, lines = points.compute({"rd_intensity": D("3")})
    assert lines[0].explanation == "3%，达到“不低于 3%”一档，得 14 分"
    assert lines[1].explanation == "无数据，不得分"


def test_a_changed_fact_changes_the_score_and_its_history(enterprise_member, enterprise):
    checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    [first] = points.history(enterprise)
    assert first.total == D("72.00") and first.sources["invention_patents"].startswith("科技体检")
    checkups.complete(enterprise_member, answers(invention_patents="4"), BOTTLENECKS)  # 15 → 15×0.4 = 6
    latest, earlier = points.history(enterprise)
    assert (latest.total, earlier.total) == (D("63.00"), D("72.00"))
    points.recompute(enterprise)  # nothing changed: no new line
    assert InnovationScore.objects.filter(organisation=enterprise).count() == 2


def test_the_points_page(client, login, enterprise_member):
    checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    page = login(enterprise_member).get("/enterprises/points/").content.decode()
    assert "72.00" in page and "达到“不低于 3%”一档，得 14 分" in page and "待省科技厅确认" in page
    assert client.post("/enterprises/points/", follow=True).status_code == 200
    assert InnovationScore.objects.count() == 1


def test_a_registered_contract_recomputes_the_parties_points(enterprise_member, enterprise, registered_contract,
                                                             qinghai_university, django_capture_on_commit_callbacks):
    checkups.complete(enterprise_member, answers(), BOTTLENECKS)
    [before] = points.history(enterprise)
    assert before.facts["registered_contracts"] == "0"
    with django_capture_on_commit_callbacks(execute=True):
        registered_contract(qinghai_university, enterprise)  # the market says so once the registration commits
    latest = points.history(enterprise)[0]
    assert latest.pk != before.pk and latest.facts["registered_contracts"] == "1"
    assert not InnovationScore.objects.filter(organisation=qinghai_university).exists()  # keeps no points
