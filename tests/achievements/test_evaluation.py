"""成果评估: a three-expert panel drawn with the conflicted expert excluded and recorded, scoring within the written
criteria, completion with averages, level and price range, the report PDF, and the offer showing the result."""

import shutil
import subprocess
from decimal import Decimal

import pytest

from techmarket.achievements.errors import (
    AchievementDuplicate,
    AchievementInputError,
    AchievementPermissionError,
)
from techmarket.achievements.models import Evaluation
from techmarket.achievements.services import evaluation as ev
from techmarket.achievements.services import records
from techmarket.achievements.services.criteria import criteria
from techmarket.catalogue.services import lifecycle
from techmarket.common.models import Notification
from techmarket.experts.models import AssignmentEntry
from tests.achievements import world as w

pytestmark = pytest.mark.django_db
POINTS = {"maturity": 15, "novelty": 16, "advancement": 15, "benefit": 20, "risk": 12}  # 78


def _drawn(world):
    achievement = w.achievement(world)
    evaluation = ev.request(world.owner, achievement, Evaluation.Mode.PANEL, panel_size=3)
    return achievement, ev.draw_panel(world.department, evaluation, seed=7)


def test_criteria_file_adds_up_to_hundred():
    assert sum(c.max for c in criteria().criteria) == 100
    assert {c.code for c in criteria().criteria} == {"maturity", "novelty", "advancement", "benefit", "risk"}
    assert criteria().level(Decimal("78")) == "国内先进，具备转化条件"


def test_panel_excludes_the_conflicted_expert():
    world = w.build()
    achievement, evaluation = _drawn(world)
    assert Notification.objects.filter(recipient=world.department, topic="achievements.department").exists()
    assert Notification.objects.filter(recipient=world.experts["王专家"], topic="achievements.evaluation").exists()
    assert not Notification.objects.filter(recipient=world.experts["孙专家"]).exists()
    panel = evaluation.panel
    assert evaluation.status == Evaluation.Status.SCORING
    assert sorted(e.expert.name for e in panel.drawn) == ["李专家", "王专家", "赵专家"]
    excluded = list(panel.excluded)
    assert [e.expert.name for e in excluded] == ["孙专家"]
    assert excluded[0].outcome == AssignmentEntry.Outcome.EXCLUDED and "高原理工大学" in excluded[0].reason
    # The excluded expert may not score, nor see the confidential part.
    with pytest.raises(AchievementPermissionError):
        ev.score(world.experts["孙专家"], evaluation, POINTS, 100, 200, "意见")
    assert not records.can_see_confidential(world.experts["孙专家"], achievement)
    assert records.can_see_confidential(world.experts["王专家"], achievement)


def test_scores_complete_the_evaluation_with_averages_level_and_price():
    world = w.build()
    achievement, evaluation = _drawn(world)
    with pytest.raises(AchievementInputError, match="技术成熟度"):
        ev.score(world.experts["王专家"], evaluation, {**POINTS, "maturity": 21}, 100, 200, "意见")
    with pytest.raises(AchievementInputError, match="上限不能低于下限"):
        ev.score(world.experts["王专家"], evaluation, POINTS, 300, 200, "意见")
    prices = {"王专家": (100, 200), "李专家": (150, 260), "赵专家": (120, 220)}
    for name, (low, high) in prices.items():
        ev.score(world.experts[name], evaluation, POINTS, low, high, f"{name}：技术路线可行。")
    with pytest.raises(AchievementDuplicate, match="已对本次评估评分"):
        ev.score(world.experts["王专家"], evaluation, POINTS, 100, 200, "再评一次")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.COMPLETED and evaluation.scores.count() == 3
    assert evaluation.total == Decimal("78.00") and evaluation.level == "国内先进，具备转化条件"
    assert (evaluation.price_low, evaluation.price_high) == (Decimal("120.00"), Decimal("220.00"))
    assert ev.latest_completed(achievement) == evaluation


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_report_pdf_text(tmp_path):
    world = w.build()
    achievement, evaluation = _drawn(world)
    for name in ("王专家", "李专家", "赵专家"):
        ev.score(world.experts[name], evaluation, POINTS, 100, 200, f"{name}认为吸附剂寿命指标可信。")
    evaluation.refresh_from_db()
    path = tmp_path / "report.pdf"
    path.write_bytes(ev.report_pdf(evaluation))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for expected in ("科技成果评估报告", achievement.title, "高原理工大学", "ZL202310000001.2", "技术成熟度",
                     "78.00", "国内先进，具备转化条件", "100.00 万元至 200.00 万元", "王专家认为吸附剂寿命指标可信",
                     "已回避存在利益关系的专家"):
        assert expected in text.replace("\n", "") or expected in text, expected


def test_only_the_department_draws_and_one_running_evaluation():
    world = w.build()
    achievement = w.achievement(world)
    evaluation = ev.request(world.owner, achievement, Evaluation.Mode.PANEL)
    with pytest.raises(AchievementDuplicate):
        ev.request(world.owner, achievement, Evaluation.Mode.PANEL)
    with pytest.raises(AchievementPermissionError):
        ev.draw_panel(world.owner, evaluation)
    with pytest.raises(AchievementPermissionError):
        ev.request(world.buyer_member, achievement, Evaluation.Mode.PANEL)
    assert Evaluation.objects.filter(achievement=achievement).count() == 1


def test_institution_evaluates_with_one_score():
    world = w.build()
    achievement = w.achievement(world)
    institution = w.organisation("青海技术评价中心", kind="transfer-institution")
    member = w.user("assessor", institution)
    evaluation = ev.request(world.owner, achievement, Evaluation.Mode.INSTITUTION, institution)
    assert evaluation.status == Evaluation.Status.SCORING
    ev.score(member, evaluation, POINTS, 80, 90, "机构评价意见。")
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.COMPLETED and evaluation.price_low == Decimal("80.00")


def test_offer_page_shows_the_evaluation(client):
    world = w.build()
    achievement, evaluation = _drawn(world)
    listing = records.publish_offer(world.owner, achievement)
    for name in ("王专家", "李专家", "赵专家"):
        ev.score(world.experts[name], evaluation, POINTS, 100, 200, "可行。")
    lifecycle.transition(listing, "submitted", world.owner)
    lifecycle.approve(listing, world.department)
    page = client.get(f"/listings/{listing.reference}/").content.decode()
    assert 'id="achievement-evaluation"' in page and "78.00 分" in page and "国内先进，具备转化条件" in page
    assert "100.00" not in page  # the suggested price is not public
