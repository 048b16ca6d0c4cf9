"""Notification topics of achievements (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("achievements.evaluation", "成果评估", "您被抽取为成果评估专家、您单位的成果评估完成时通知您。")
register_topic("achievements.report", "科技成果转化年度报告",
               "年度报告报送截止日前提醒、下属单位报送年度报告、报告被审核转报或退回时通知您。")
register_topic("achievements.department", "成果评估待办", "有成果申请专家委员会评估、待抽取评估专家时通知省科技厅。")
