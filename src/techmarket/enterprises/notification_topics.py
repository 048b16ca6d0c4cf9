"""Notification topics of enterprise services (discovered by techmarket.common at start-up)."""

from techmarket.common.notifications import register_topic

register_topic("enterprises.need-shared", "企业融资需求",
               "企业向本机构开放融资需求和企业信息时通知本机构的已核验成员。")
register_topic("enterprises.need-progress", "融资需求进展",
               "金融机构回应本企业的融资需求、记录放款或投资结果时通知本企业的已核验成员。")
register_topic("enterprises.checkup-for", "代为科技体检",
               "科技专员或市州科技局为本企业完成科技体检时通知本企业的已核验成员。")
