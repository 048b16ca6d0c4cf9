"""Notification topics of targeted publishing (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("matching.intent", "定向发布", "省科技厅向本单位定向发布需求时通知本单位的已核验成员。")
register_topic("matching.intent-reminder", "定向发布待回复提醒", "本单位收到的定向发布多日未回复时提醒。")
register_topic("matching.intent-answer", "定向发布的回复",
               "其他单位回复本单位条目的定向发布（有意向、提交方案或暂不合作）时通知。")
