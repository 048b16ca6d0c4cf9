"""Notification topics of the expert pool (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("experts.verification", "专家信息核验结果", "您登记的专家信息通过或未通过核验时通知您。")
