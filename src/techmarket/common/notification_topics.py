"""The notification topics of the common package (notices and objections); each app declares its own in its
`notification_topics.py`, discovered at start-up (CommonConfig.ready)."""

from techmarket.common.notifications import register_topic

register_topic("common.objection", "公示收到异议", "有人对公示提出异议时通知审核人员。")
register_topic("common.objection-resolved", "异议处理结果", "您提出的异议处理后通知您。")
