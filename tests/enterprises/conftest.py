import pytest

from techmarket.directory.models import Organisation, Region


def answers(**changes) -> dict:
    """Answers to every question of data/enterprises/checkup.yaml, as a form posts them."""
    base = {"field": "salt-lake", "employees": "200", "revenue_wan": "50000", "rd_institution": "internal",
            "rd_staff": "30", "rd_spending_wan": "1500", "invention_patents": "12", "other_ip": "40",
            "senior_staff": "15", "equipment_wan": "3000", "products": "碳酸锂、氯化钾，产品纯度达到电池级。"}
    base.update(changes)
    return base


BOTTLENECKS = [
    ("低品位卤水提锂吸附剂寿命短",
     "现用铝系吸附剂在低品位盐湖卤水中循环 300 次后吸附容量下降 40%，需要寿命更长的提锂吸附剂。"),
    ("氯化钾生产尾矿综合利用", "每年产生尾矿约 20 万吨，含镁量高，尚无经济的综合利用技术，希望与高校合作开发。"),
]


@pytest.fixture
def enterprise(db):
    return Organisation.objects.create(name="格尔木盐湖锂业有限公司", region=Region.objects.get(code="haixi"),
                                       kind=Organisation.Kind.ENTERPRISE)


@pytest.fixture
def enterprise_member(make_user, enterprise):
    return make_user("enterprise-member", organisation=enterprise)
