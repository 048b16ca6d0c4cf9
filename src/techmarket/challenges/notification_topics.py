"""Notification topics of challenges (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("challenges.call", "榜单审批与发布", "您起草的榜单获批、未获批或发布时通知您。")
register_topic("challenges.proposal", "揭榜方案进展",
               "您的揭榜方案通过或未通过形式审查、入选、淘汰或签订任务书时通知您。")
register_topic("challenges.review", "评审任务", "您被抽取为榜单评审专家、进入路演评分时通知您。")
register_topic("challenges.department", "榜单待办", "有榜单待审批、澄清问题待答复、里程碑待审核时通知省科技厅。")
register_topic("challenges.clarification", "榜单澄清答复", "您关注的榜单发布澄清答复时通知您。")
