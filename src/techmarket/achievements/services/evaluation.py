"""成果评估: an owner asks for an evaluation by an evaluation institution or an expert panel; the department draws
the panel with the expert pool's assignment service (conflicts with the owner excluded and recorded there); each
evaluator scores the written criteria (data/achievements/criteria.yaml) and estimates a price; the last score
completes the evaluation: the criteria's averages, their sum, the level, and the price range (the medians of the
evaluators' lower and upper estimates). The report is a PDF (report_pdf)."""

from __future__ import annotations

import io
import statistics
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.db import IntegrityError, transaction
from django.utils import timezone

from techmarket.achievements.errors import (
    AchievementDuplicate,
    AchievementError,
    AchievementInputError,
    AchievementPermissionError,
)
from techmarket.achievements.models import Achievement, Action, Evaluation, Score
from techmarket.achievements.services.criteria import criteria
from techmarket.common import audit, notices
from techmarket.common.bounds import MAX_BUDGET_WAN, REASON_MAX, validate_text
from techmarket.common.notifications import notify
from techmarket.common.permissions import allowed
from techmarket.directory.models import Organisation
from techmarket.experts.services.assignment import assign

S = Evaluation.Status
CENT = Decimal("0.01")


def _money(value, label: str) -> Decimal:
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        raise AchievementInputError(f"{label}须为数字。") from None
    if not (0 <= value <= MAX_BUDGET_WAN) or value != value.quantize(CENT):
        raise AchievementInputError(f"{label}须在 0 到 {MAX_BUDGET_WAN:,.0f} 万元之间，最多两位小数。")
    return value.quantize(CENT)


def request(user, achievement: Achievement, mode: str, institution: Organisation | None = None,
            panel_size: int = 3) -> Evaluation:
    """The owner asks for an evaluation; one running evaluation per achievement."""
    if not allowed(user, "achievements.edit", achievement):
        raise AchievementPermissionError("只有成果持有单位的已核验成员可以申请成果评估。")
    if mode not in Evaluation.Mode.values:
        raise AchievementInputError("请选择评估方式。")
    if mode == Evaluation.Mode.INSTITUTION:
        if institution is None:
            raise AchievementInputError("请选择评价机构。")
        if institution.pk == achievement.owner_id:
            raise AchievementInputError("不能由成果持有单位自己评价本单位的成果。")
    else:
        institution = None
        if isinstance(panel_size, bool) or not isinstance(panel_size, int) or not 3 <= panel_size <= 15:
            raise AchievementInputError("评价专家委员会须由 3 到 15 位专家组成。")
    running = "该成果已有进行中的评估，完成后才能再次申请。"
    try:
        with transaction.atomic():
            Achievement.objects.select_for_update().get(pk=achievement.pk)
            if achievement.evaluations.exclude(status=S.COMPLETED).exists():
                raise AchievementDuplicate(running)
            evaluation = Evaluation.objects.create(
                achievement=achievement, mode=mode, institution=institution, panel_size=panel_size,
                status=S.SCORING if institution else S.REQUESTED, requested_by=user)
            audit.log_action(evaluation, Action.REQUEST, user, to_value=evaluation.status,
                             data={"mode": mode, "institution": institution.pk if institution else None})
            if institution:
                notify(institution.members.filter(is_verified=True), "achievements.evaluation",
                       f"成果评估委托：{achievement.title}", "贵机构受托评估一项科技成果，请登录平台评分。",
                       link=evaluation.get_absolute_url())
            else:
                notify(notices.resolvers(), "achievements.department", f"待抽取评估专家：{achievement.title}",
                       f"{achievement.owner.name}申请由评价专家委员会（{panel_size} 位专家）评估该成果，请抽取专家。",
                       link=evaluation.get_absolute_url())
    except IntegrityError:
        raise AchievementDuplicate(running) from None
    return evaluation


@transaction.atomic
def draw_panel(user, evaluation: Evaluation, seed: int | None = None) -> Evaluation:
    """The department draws the panel: experts of the achievement's field, none with a conflict with the owner."""
    if not allowed(user, "achievements.manage"):
        raise AchievementPermissionError("只有省科技厅审核人员可以抽取评估专家。")
    evaluation = Evaluation.objects.select_for_update().select_related("achievement").get(pk=evaluation.pk)
    if evaluation.mode != Evaluation.Mode.PANEL or evaluation.status != S.REQUESTED:
        raise AchievementError("该评估不需要或已经抽取专家。")
    achievement = evaluation.achievement
    if achievement.field_id is None:
        raise AchievementError("成果未填写领域，无法按领域抽取专家；请持有单位先补充领域。")
    panel = assign(evaluation, [achievement.field.code], evaluation.panel_size,
                   organisation_ids=[achievement.owner_id], seed=seed, assigned_by=user)
    evaluation.panel, evaluation.status = panel, S.SCORING
    evaluation.save(update_fields=["panel", "status"])
    audit.log_action(evaluation, Action.DRAW, user, from_value=S.REQUESTED, to_value=S.SCORING,
                     data={"assignment": panel.pk, "drawn": [e.expert_id for e in panel.drawn],
                           "excluded": [e.expert_id for e in panel.excluded]})
    users = [e.expert.user for e in panel.drawn.select_related("expert__user") if e.expert.user_id]
    notify(users, "achievements.evaluation", f"成果评估任务：{achievement.title}",
           "您被抽取为科技成果评估专家，请登录平台按评估标准评分。", link=evaluation.get_absolute_url())
    return evaluation


def expected_scorers(evaluation: Evaluation) -> int:
    return evaluation.panel_size if evaluation.mode == Evaluation.Mode.PANEL else 1


def score(user, evaluation: Evaluation, points: dict[str, int], price_low, price_high, comment: str) -> Score:
    """An evaluator's scores (each criterion within 0..max), price estimate and opinion; once per evaluator. The
    last expected score completes the evaluation."""
    if not allowed(user, "achievements.score", evaluation):
        raise AchievementPermissionError("只有本次评估的评估专家（或受托评价机构）可以在评估期间评分。")
    checked = {}
    for criterion in criteria().criteria:
        value = points.get(criterion.code)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= criterion.max:
            raise AchievementInputError(f"“{criterion.name}”须为 0 到 {criterion.max} 的整数分。")
        checked[criterion.code] = value
    low, high = _money(price_low, "估价下限"), _money(price_high, "估价上限")
    if high < low:
        raise AchievementInputError("估价上限不能低于下限。")
    comment = (comment or "").strip()
    if not comment:
        raise AchievementInputError("请填写评估意见。")
    if len(comment) > REASON_MAX:
        raise AchievementInputError(f"评估意见不能超过 {REASON_MAX} 个字。")
    validate_text(comment)
    done = "您已对本次评估评分。"
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
            if evaluation.scores.filter(scorer=user).exists():
                raise AchievementDuplicate(done)
            if evaluation.status != S.SCORING:
                raise AchievementError("该评估不在评分阶段。")
            expert = getattr(user, "expert_profile", None) if evaluation.mode == Evaluation.Mode.PANEL else None
            record = Score.objects.create(evaluation=evaluation, expert=expert, scorer=user, points=checked,
                                          total=Decimal(sum(checked.values())), price_low=low, price_high=high,
                                          comment=comment)
            audit.log_action(evaluation, Action.SCORE, user, to_value=str(record.total))
            if evaluation.scores.count() >= expected_scorers(evaluation):
                _complete(evaluation)
    except IntegrityError:
        raise AchievementDuplicate(done) from None
    return record


def _median(values) -> Decimal:
    return Decimal(str(statistics.median(values))).quantize(CENT, ROUND_HALF_UP)


def _complete(evaluation: Evaluation) -> None:
    scores = list(evaluation.scores.all())
    averages = {c.code: float(Decimal(sum(s.points[c.code] for s in scores)) / len(scores))
                for c in criteria().criteria}
    total = Decimal(str(sum(averages.values()))).quantize(CENT, ROUND_HALF_UP)
    evaluation.criteria = {k: round(v, 2) for k, v in averages.items()}
    evaluation.total, evaluation.level = total, criteria().level(total)
    evaluation.price_low = _median([s.price_low for s in scores])
    evaluation.price_high = max(_median([s.price_high for s in scores]), evaluation.price_low)
    evaluation.status, evaluation.completed_at = S.COMPLETED, timezone.now()
    evaluation.save()
    audit.log_action(evaluation, Action.COMPLETE, None, actor_label="system", from_value=S.SCORING,
                     to_value=S.COMPLETED, data={"total": str(total)})
    achievement = evaluation.achievement
    notify(achievement.owner.members.filter(is_verified=True), "achievements.evaluation",
           f"成果评估完成：{achievement.title}", f"综合得分 {total}，结论：{evaluation.level}。",
           link=evaluation.get_absolute_url())


def latest_completed(achievement: Achievement) -> Evaluation | None:
    return achievement.evaluations.filter(status=S.COMPLETED).order_by("-completed_at", "-id").first()


def criteria_rows(evaluation: Evaluation) -> list[dict]:
    """Each criterion with its name, maximum and the evaluation's average (public figures)."""
    return [{"code": c.code, "name": c.name, "max": c.max, "average": evaluation.criteria.get(c.code)}
            for c in criteria().criteria]


def report_pdf(evaluation: Evaluation) -> bytes:
    """The evaluation report: the achievement, who evaluated (panel size or institution), the criteria's
    averages, the total and level, the suggested price range and each evaluator's opinion (without names)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from techmarket.common.pdf import cjk_font

    if evaluation.status != S.COMPLETED:
        raise AchievementError("评估完成后才能生成评估报告。")
    font = cjk_font()
    achievement = evaluation.achievement
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12, textColor=colors.grey)

    def p(text, style=body):
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title="科技成果评估报告", creator="青海科技开放合作平台")
    evaluator = (f"评价专家委员会（{evaluation.panel_size} 位专家，已回避存在利益关系的专家）"
                 if evaluation.mode == Evaluation.Mode.PANEL else f"专业评价机构：{evaluation.institution.name}")
    facts = [
        ["成果名称", achievement.title], ["持有单位", achievement.owner.name],
        ["成果类型", achievement.get_kind_display()],
        ["知识产权", f"{achievement.ip_number}（{achievement.get_ip_status_display()}）" if achievement.ip_number
         else achievement.get_ip_status_display()],
        ["技术成熟度", f"{achievement.trl} 级"], ["评估方式", evaluator],
        ["评估完成日期", timezone.localtime(evaluation.completed_at).strftime("%Y年%m月%d日")],
    ]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    fact_table = Table([[p(k), p(v)] for k, v in facts], colWidths=[35 * mm, 135 * mm])
    fact_table.setStyle(grid)
    rows = [[p("评估指标"), p("满分"), p("平均得分")]]
    rows += [[p(r["name"]), p(r["max"]), p(f"{r['average']:.2f}")] for r in criteria_rows(evaluation)]
    rows.append([p("综合得分"), p(100), p(f"{evaluation.total}")])
    score_table = Table(rows, colWidths=[100 * mm, 30 * mm, 40 * mm])
    score_table.setStyle(grid)
    source = criteria().source
    story = [p("科技成果评估报告", title), fact_table, Spacer(1, 5 * mm), score_table, Spacer(1, 5 * mm),
             p(f"评估结论：{evaluation.level}"),
             p(f"建议价格区间：{evaluation.price_low} 万元至 {evaluation.price_high} 万元"
               "（各评估人估价下限与上限的中位数，供协议定价参考）"),
             Spacer(1, 4 * mm), p("评估意见：")]
    story += [p(f"{i}. {s.comment}") for i, s in enumerate(evaluation.scores.all(), 1)]
    story += [Spacer(1, 8 * mm), p(f"依据：{source}：“{source.excerpt}”", small),
              p("本报告由青海科技开放合作平台根据评估记录生成，内容以平台记录为准。", small)]
    doc.build(story)
    return buffer.getvalue()
