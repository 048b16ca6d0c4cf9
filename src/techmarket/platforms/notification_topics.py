"""Notification topics of innovation platforms and teams (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("platforms.review", "创新平台与团队登记审核结果",
               "您登记的创新平台或引进创新团队通过或未通过审核时通知您。")
