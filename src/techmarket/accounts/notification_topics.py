"""Notification topics of accounts (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("accounts.verification", "身份与单位核验结果",
               "您提交的身份与单位核验申请通过或未通过时通知您。")
