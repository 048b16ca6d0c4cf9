"""Notification topics of the ecosystem (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("ecosystem.filing", "技术转移机构备案", "备案、变更或歇业备案提交后通知审核人员；审核决定通知填报单位。")
register_topic("ecosystem.complaint", "投诉举报处理", "收到投诉举报时通知审核人员；调查结论通知举报人和被处理方。")
register_topic("ecosystem.broker", "技术经纪人资格", "技术经纪人资格状态变化时通知其所在单位。")
