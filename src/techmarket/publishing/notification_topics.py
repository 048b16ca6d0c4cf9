"""Notification topics of information publishing and matchmaking events (discovered by techmarket.common)."""

from techmarket.common.notifications import register_topic

register_topic("publishing.review", "信息发布审核", "稿件提交审核、审核通过或被退回时通知相关编辑和审核员。")
register_topic("publishing.signup", "活动报名结果", "您的活动报名通过或未通过审核、活动取消时通知您。")
register_topic("publishing.event-reminder", "活动开始提醒", "您报名已通过的活动开始前一天提醒您时间、地点和签到。")
register_topic("publishing.meeting", "一对一洽谈", "其他参会人与您预约、谢绝或取消一对一洽谈时通知您。")
