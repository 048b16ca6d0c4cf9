"""Agreed prices (协议定价): the owner publishes the achievement's name and the price it intends to trade at as a
notice of at least 15 calendar days (data/achievements/reporting.yaml) through common.notices, with the objection
procedure stated; anyone logged in may object there and reviewers resolve objections on the record.

A technology contract linked to the achievement (ContractLink, kept here) is held back from registration (the
market's registration blockers) while the latest notice is open, an objection to it is unresolved, or one was
upheld."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from techmarket.achievements.errors import (
    AchievementDuplicate,
    AchievementInputError,
    AchievementPermissionError,
)
from techmarket.achievements.models import Achievement, Action, ContractLink, PriceNotice
from techmarket.achievements.services.criteria import reporting
from techmarket.achievements.services.evaluation import _money
from techmarket.common import audit, notices
from techmarket.common.bounds import NAME_MAX, validate_single_line
from techmarket.common.models import Objection
from techmarket.common.permissions import allowed
from techmarket.market.services.contracts import party_for, visible_contracts

KIND = "achievements.agreed-price"
PROCEDURE = ("异议处理程序：公示期内，任何单位和个人可在本页面登录后提出书面异议，写明理由和依据；"
             "省科技厅审核人员逐条处理并记录处理意见，异议成立的，不得按公示价格交易；"
             "异议未处理完毕前，相关技术合同不能申请认定登记。")


def min_days() -> int:
    return reporting().price_notice_min_days


def max_days() -> int:
    return reporting().price_notice_max_days


def check_days(days) -> int:
    low, high = min_days(), max_days()
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise AchievementInputError(f"协议定价公示期不少于 {low} 日（至多 {high} 日）。")
    return days


def publish(user, achievement: Achievement, price, buyer: str, days: int) -> PriceNotice:
    """Publish the agreed price as a notice; one open notice per achievement at a time."""
    if not allowed(user, "achievements.edit", achievement):
        raise AchievementPermissionError("只有成果持有单位的已核验成员可以发布协议定价公示。")
    days = check_days(days)
    price = _money(price, "拟交易价格")
    buyer = (buyer or "").strip()
    if not buyer or len(buyer) > NAME_MAX:
        raise AchievementInputError(f"请填写拟受让方（不超过 {NAME_MAX} 个字）。")
    try:
        validate_single_line(buyer)
    except Exception:
        raise AchievementInputError("拟受让方名称含有不允许的字符。") from None
    with transaction.atomic():
        achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
        latest = latest_notice(achievement)
        if latest is not None and notices.outcome(latest.notice) == notices.OPEN:
            raise AchievementDuplicate("该成果已有正在公示的协议定价，公示期满后才能再次公示。")
        body = (f"科技成果名称：{achievement.title}\n持有单位：{achievement.owner.name}\n"
                f"拟受让方：{buyer}\n拟交易价格：{price} 万元\n公示期：{days} 日\n{PROCEDURE}")
        notice = notices.publish_notice(achievement, f"科技成果协议定价公示：{achievement.title}", body, days,
                                        kind=KIND, by=user)
        record = PriceNotice.objects.create(achievement=achievement, notice=notice, price=price, buyer=buyer,
                                            published_by=user)
        audit.log_action(record, Action.NOTICE, user, to_value=f"{price} 万元",
                         data={"notice": notice.pk, "days": days, "closes_on": notice.closes_on.isoformat()})
    return record


def latest_notice(achievement: Achievement) -> PriceNotice | None:
    return achievement.price_notices.select_related("notice").order_by("-created_at", "-id").first()


def link_contract(user, achievement: Achievement, contract) -> ContractLink:
    """Record that a contract (to which the owner is a party) carries this achievement; once per contract."""
    if not allowed(user, "achievements.edit", achievement):
        raise AchievementPermissionError("只有成果持有单位的已核验成员可以关联技术合同。")
    if party_for(user, contract) is None:
        raise AchievementPermissionError("只能关联本单位为当事人的技术合同。")
    try:
        with transaction.atomic():
            if ContractLink.objects.filter(contract=contract).exists():
                raise AchievementDuplicate("该技术合同已关联科技成果。")
            link = ContractLink.objects.create(achievement=achievement, contract=contract, linked_by=user)
            audit.log_action(achievement, Action.LINK_CONTRACT, user, to_value=contract.title)
    except IntegrityError:
        raise AchievementDuplicate("该技术合同已关联科技成果。") from None
    return link


def blocker_reason(achievement: Achievement) -> str | None:
    latest = latest_notice(achievement)
    if latest is None:
        return None
    notice = latest.notice
    if notice.objections.filter(status=Objection.Status.OPEN).exists():
        return f"成果“{achievement.title}”的协议定价公示有尚未处理的异议，异议处理完毕前不能申请登记。"
    state = notices.outcome(notice)
    if state == notices.OPEN:
        return (f"成果“{achievement.title}”的协议定价正在公示（至 {notice.closes_on:%Y-%m-%d}），"
                "公示期满后方可申请登记。")
    if state == notices.BLOCKED:
        return f"成果“{achievement.title}”的协议定价公示有异议成立，不能按该价格申请登记；请重新定价并公示。"
    return None


def registration_blocker(contract) -> str | None:
    """The market's registration blocker (registered in AchievementsConfig.ready)."""
    link = ContractLink.objects.filter(contract=contract).select_related("achievement").first()
    return blocker_reason(link.achievement) if link else None


def linkable_contracts(user):
    """The contracts the user's unit is a party to and that carry no achievement yet (the market's query)."""
    if not (user and user.is_authenticated and user.organisation_id):
        return []
    linked = ContractLink.objects.values("contract_id")
    return [c for c in visible_contracts(user).exclude(pk__in=linked).order_by("-id")[:200] if party_for(user, c)]


def state_label(price_notice: PriceNotice) -> str:
    return notices.OUTCOME_LABELS[notices.outcome(price_notice.notice)]


