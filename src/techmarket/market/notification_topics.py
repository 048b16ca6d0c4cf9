"""Notification topics of the market (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("market.registration-deadline", "技术合同登记到期提醒",
               "本登记机构的登记申请临近或超过应作出决定日期时，每日提醒登记人员。")
