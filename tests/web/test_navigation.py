"""Getting around (issue 13, points 6 and 8): the navigation and footer for each kind of user, the favicon, the
contract form's party roles per contract type, the indicator figures' links for visitors who may not see their
source contracts, and the downloads' Chinese file names."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from techmarket.common.downloads import content_disposition
from techmarket.market.forms import PartyFormSet
from techmarket.market.models import Contract
from techmarket.market.services.rules import rules
from tests.market.conftest import (  # noqa: F401  (fixtures)
    buyer_org,
    make_registrar,
    org,
    region,
    registry,
    xining_registrar,
)
from tests.market.test_pages import contract_post
from tests.web.conftest import CHROMIUM

MARKET = "/market/"
STATISTICS = "/market/statistics/"
REGISTRY_DESK = "/market/registry/"


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def nav(html: str) -> str:
    return re.search(r'<nav class="navbar.*?</nav>', html, re.S).group(0)


def footer(html: str) -> str:
    return re.search(r"<footer.*?</footer>", html, re.S).group(0)


# Navigation and footer


def test_visitors_find_the_market_its_statistics_and_the_api_docs(db, client):
    html = page(client.get("/"))
    menu = nav(html)
    assert ">技术交易<" in menu
    assert f'href="{STATISTICS}">技术合同统计<' in menu
    assert f'href="{reverse("login")}?next={MARKET}">登录后洽谈与签约<' in menu
    assert REGISTRY_DESK not in html
    docs = reverse("api:openapi-view")
    assert f'href="{docs}">开放接口<' in footer(html)
    assert client.get(docs).status_code == 200
    assert client.get(STATISTICS).status_code == 200


def test_members_get_their_deals_not_the_registry_desk(login, member):
    html = page(login(member).get("/"))
    assert f'href="{MARKET}">我的洽谈与合同<' in nav(html)
    assert f'href="{STATISTICS}">技术合同统计<' in nav(html)
    assert REGISTRY_DESK not in html


def test_reviewers_do_not_get_the_registry_desk(login, reviewer):
    html = page(login(reviewer).get("/"))
    assert ">审核<" in nav(html) and REGISTRY_DESK not in html


def test_registrars_get_the_registry_desk_and_not_the_deals_page(login, xining_registrar):  # noqa: F811
    client = login(xining_registrar)
    menu = nav(page(client.get("/")))
    assert f'href="{REGISTRY_DESK}">登记工作台<' in menu
    assert f'href="{MARKET}"' not in menu  # no organisation: nothing of theirs there, only a hint for members
    assert f'href="{STATISTICS}">技术合同统计<' in menu
    assert client.get(REGISTRY_DESK).status_code == 200


def test_registration_administrators_get_the_registry_desk(login, make_user):
    overseer = make_user("overseer")
    overseer.user_permissions.add(Permission.objects.get(codename="oversee_registrations"))
    client = login(overseer)
    assert f'href="{REGISTRY_DESK}">登记工作台<' in nav(page(client.get("/")))
    assert client.get(REGISTRY_DESK).status_code == 200


def test_the_menu_folds_on_phones_and_its_menus_are_bootstrap_dropdowns(db, client):
    html = page(client.get("/"))
    assert 'data-bs-target="#main-nav"' in html and 'class="collapse navbar-collapse' in html
    assert html.count('data-bs-toggle="dropdown"') == 2  # 技术交易 and 服务生态 (本单位 is for members)
    assert "bootstrap.bundle.min.js" in html  # the dropdowns need its Popper


# Favicon


def test_favicon_is_served_on_every_page(db, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in response["Cache-Control"]
    html = page(client.get("/"))
    assert '<link rel="icon" href="/favicon.ico"' in html and "web/favicon.svg" in html


# Party roles per contract type

ROLES = {
    "development-commissioned": {"developer": "研究开发方", "commissioner": "委托方"},
    "development-cooperative": {"developer": "研究开发方（登记方）", "co-developer": "合作开发方"},
    "transfer": {"transferor": "让与方", "transferee": "受让方"},
    "licensing": {"licensor": "许可方", "licensee": "被许可方"},
    "consulting": {"consultant": "顾问方", "client": "委托方"},
    "service": {"provider": "服务方", "client": "委托方"},
}
BROKER = ("broker", "技术经纪人或中介机构")  # any contract may add the broker who brought it about


def party_data(contract_type: str, *roles: str) -> dict:
    data = {"contract_type": contract_type, "parties-TOTAL_FORMS": str(len(roles)), "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "2", "parties-MAX_NUM_FORMS": "10"}
    for i, role in enumerate(roles):
        data |= {f"parties-{i}-organisation": "青海大学", f"parties-{i}-role": role, f"parties-{i}-location": ""}
    return data


@pytest.mark.parametrize("contract_type", ROLES)
def test_a_party_is_offered_the_roles_of_the_contract_type_only(db, contract_type):
    roles = ROLES[contract_type]
    formset = PartyFormSet(party_data(contract_type, *roles), prefix="parties")
    choices = formset.forms[0].fields["role"].choices
    assert choices == [("", "请选择"), *roles.items(), BROKER]
    names = [name for _, name in choices]
    assert len(names) == len(set(names))  # 研究开发方 (or 委托方) once
    assert formset.is_valid(), formset.errors


@pytest.mark.parametrize(("contract_type", "wrong"), [
    ("transfer", "developer"), ("licensing", "transferor"), ("development-commissioned", "client"),
    ("consulting", "provider"), ("service", "consultant"),
])
def test_a_role_of_another_type_is_refused_by_the_form(db, contract_type, wrong):
    right = list(ROLES[contract_type])
    formset = PartyFormSet(party_data(contract_type, right[0], wrong), prefix="parties")
    assert not formset.is_valid()
    allowed = "、".join([*ROLES[contract_type].values(), BROKER[1]])
    name = rules().type(contract_type).name
    assert formset.forms[1].errors["role"] == [f"{name}的当事人角色只能是：{allowed}。"]


def role_select(html: str, index: int) -> str:
    return re.search(rf'<select name="parties-{index}-role".*?</select>', html, re.S).group(0)


def test_the_contract_page_offers_and_checks_the_roles_of_the_type(login, member, buyer_org):  # noqa: F811
    client = login(member)
    blank = page(client.get(reverse("market:contract-create")))
    select = role_select(blank, 0)
    assert 'data-choices-by="contract_type"' in select  # site.js narrows the list to the type chosen
    assert "web/site.js" in blank
    # A transfer whose first party is given a development role: refused at the role, nothing recorded.
    response = client.post(reverse("market:contract-create"), contract_post("transfer", **{
        "parties-0-role": "developer"}))
    html = page(response)
    assert "技术转让合同的当事人角色只能是：让与方、受让方、技术经纪人或中介机构。" in html
    offered = re.findall(r'<option value="([^"]*)"', role_select(html, 0))
    assert offered == ["", "transferor", "transferee", "broker"]
    assert not Contract.objects.filter(title=contract_post()["title"]).exists()
    # The roles of the type are accepted, as stored before (codes unchanged).
    response = client.post(reverse("market:contract-create"), contract_post("transfer"))
    assert response.status_code == 302
    contract = Contract.objects.get(title=contract_post()["title"])
    assert sorted(contract.parties.values_list("role", flat=True)) == ["transferee", "transferor"]


# Indicator figures


def test_visitors_are_not_sent_to_log_in_by_the_figures(db, client):
    html = page(client.get(reverse("indicators:dashboard")))
    assert "/records/" not in html  # the figures are plain numbers
    assert "点击数值可查看来源合同" not in html
    sources = re.search(r'<p[^>]*id="indicator-sources".*?</p>', html, re.S).group(0)
    assert "来源合同明细供审核员和登记管理人员" in sources and reverse("login") in sources


def test_a_logged_in_user_without_the_right_gets_no_links_either(login, member):
    html = page(login(member).get(reverse("indicators:dashboard")))
    assert "/records/" not in html and "点击数值可查看来源合同" not in html
    assert "来源合同明细供审核员和登记管理人员查看" in html


def test_reviewers_follow_the_figures_to_their_sources(login, reviewer):
    client = login(reviewer)
    html = page(client.get(reverse("indicators:dashboard")))
    assert "点击数值可查看来源合同" in html
    link = re.search(r'<a href="(/indicators/[^"]+/records/[^"]*)">', html).group(1)
    assert client.get(link.replace("&amp;", "&")).status_code == 200


# Download file names


def disposition_name(header: str) -> str:
    match = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert match, header
    return match.group(1)


def test_the_catalogue_download_has_a_chinese_name(db, client):
    day = f"{timezone.localdate():%Y%m%d}"
    header = client.get(reverse("catalogue-export"), {"kind": "offer"})["Content-Disposition"]
    assert header.startswith(f'attachment; filename="catalogue-{day}.xlsx"; ')
    assert disposition_name(header) == quote(f"需求与成果库-{day}.xlsx")


@pytest.mark.parametrize(("fmt", "kind", "ext"), [("xlsx", "attachment", "xlsx"), ("pdf", "inline", "pdf")])
def test_the_indicator_report_has_a_chinese_name(db, client, fmt, kind, ext):
    header = client.get(reverse("indicators:report"), {"period": "2026-09", "format": fmt})["Content-Disposition"]
    assert header.startswith(f'{kind}; filename="indicators-2026-09.{ext}"; ')
    assert disposition_name(header) == quote(f"指标监测调度报告-2026年9月.{ext}")


def test_content_disposition_keeps_both_names_safe():
    header = content_disposition('统计/"表".xlsx', 'a"b\\c;d/é.xlsx')
    assert header == "attachment; filename=\"a_b_c_d__.xlsx\"; filename*=UTF-8''" + quote('统计_"表".xlsx', safe="")


# In a real browser (Debian's chromium, tests/web/conftest.py). Last in this module on purpose: a live-server test
# flushes the database when it ends, and the module-scoped `seed` fixture imports the seed again only when the
# module is done.


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")
def test_in_a_browser_the_phone_menu_opens_and_the_role_list_follows_the_type(browser, live_server):
    from django.contrib.auth import get_user_model

    from techmarket.directory.models import Organisation
    from tests.conftest import PASSWORD

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/")
    market_menu = page.locator("#market-menu")
    assert not market_menu.is_visible()
    page.get_by_label("展开导航").click()
    market_menu.click()
    with page.expect_navigation():
        page.locator("#main-nav").get_by_text("技术合同统计").click()
    assert page.url.endswith(STATISTICS)

    get_user_model().objects.create_user(username="nav-member", password=PASSWORD, is_verified=True,
                                         organisation=Organisation.objects.get(name="青海大学"))
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "nav-member")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.goto(live_server.url + reverse("market:contract-create"))
    role = page.locator("#id_parties-0-role")
    offered = page.locator("#id_parties-0-role option")
    assert offered.all_inner_texts() == ["请先选择合同类型"]
    page.select_option("#id_contract_type", "development-commissioned")
    assert offered.all_inner_texts() == ["请选择", "研究开发方", "委托方", BROKER[1]]
    role.select_option("developer")
    page.select_option("#id_contract_type", "development-cooperative")  # the role applies: kept
    assert offered.all_inner_texts() == ["请选择", "研究开发方（登记方）", "合作开发方", BROKER[1]]
    assert role.input_value() == "developer"
    page.select_option("#id_contract_type", "transfer")  # it does not: cleared
    assert offered.all_inner_texts() == ["请选择", "让与方", "受让方", BROKER[1]]
    assert role.input_value() == ""


def test_the_edit_page_offers_the_contract_types_roles_before_any_post(login, member, buyer_org):  # noqa: F811
    client = login(member)
    assert client.post(reverse("market:contract-create"), contract_post("transfer")).status_code == 302
    contract = Contract.objects.get(title=contract_post()["title"])
    html = page(client.get(reverse("market:contract-edit", args=[contract.pk])))
    offered = re.findall(r'<option value="([^"]*)"', role_select(html, 0))
    assert offered == ["", "transferor", "transferee", "broker"]


def test_visitors_find_the_service_ecosystem_in_the_menu(db, client):
    menu = nav(page(client.get("/")))
    for url, label in (("/ecosystem/", "技术转移机构"), ("/ecosystem/brokers/", "技术经纪人"), ("/experts/", "专家库"),
                       ("/platforms/", "创新平台"), ("/platforms/teams/", "创新团队")):
        assert f'href="{url}">{label}<' in menu
        assert client.get(url).status_code == 200
