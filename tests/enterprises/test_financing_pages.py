"""The financing pages through the test client: who sees what (the enterprise, a chosen bank, a bank not chosen,
anonymous visitors, the department), and the forms' bounds."""

from techmarket.enterprises.models import FinancialProduct, FinancingNeed
from tests.enterprises.test_financing import bank, banker, other_bank, other_banker  # noqa: F401  (fixtures)

NEED = {"kind": "loan", "amount": "5000000", "term_months": "36", "use": "购置提锂吸附剂生产线设备",
        "security": "ip-pledge", "security_note": "", "field": "salt-lake", "size": "small"}
PRODUCT = {"name": "科创贷", "kind": "loan", "min_amount": "1000000", "max_amount": "10000000",
           "max_term_months": "60"}


def test_pages_and_who_sees_what(client, login, enterprise_member, banker, bank, other_banker, reviewer):  # noqa: F811
    login(banker)
    assert client.get("/enterprises/financing/").url == "/enterprises/financing/desk/"
    page = client.post("/enterprises/financing/desk/", PRODUCT, follow=True).content.decode()
    assert "已登记金融产品" in page and FinancialProduct.objects.count() == 1
    bad = client.post("/enterprises/financing/desk/", {**PRODUCT, "name": "x", "max_term_months": "999"})
    assert FinancialProduct.objects.count() == 1 and bad.status_code == 200

    login(enterprise_member)
    assert client.post("/enterprises/financing/", {**NEED, "amount": "0"}).status_code == 200
    assert FinancingNeed.objects.count() == 0
    response = client.post("/enterprises/financing/", {**NEED, "share_with": [str(bank.pk)]}, follow=True)
    assert "已发布融资需求" in response.content.decode()
    client.post("/enterprises/financing/", {**NEED, "share_with": [str(bank.pk)]})  # a double submission
    need = FinancingNeed.objects.get()

    login(banker)
    desk = client.get("/enterprises/financing/desk/").content.decode()
    assert "格尔木盐湖锂业有限公司" in desk
    assert "创新积分" in client.get(need.get_absolute_url()).content.decode()
    login(other_banker)
    assert "格尔木" not in client.get("/enterprises/financing/desk/").content.decode()
    assert client.get(need.get_absolute_url()).status_code == 404
    assert client.post(f"/enterprises/financing/{need.pk}/respond/", {"status": "interested"}).status_code == 404
    login(reviewer)
    assert client.get(need.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(need.get_absolute_url()).status_code == 302  # to the log-in page
