"""Notification topics of task tracking (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

OVERDUE = register_topic("plantasks.overdue", "行动方案任务进展逾期提醒",
                         "您负责填报的行动方案任务进展逾期未报送时提醒您。")
