"""The policy pages speak simplified Chinese: the 2025 plan, quoted in traditional characters, is shown in simplified
characters (stored as printed); no rule id, version hash, repository path or developer word reaches a user page,
whoever looks at it (visitor, member, reviewer). Identifiers stay in the API and on the command line."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe

from techmarket.common.templatetags import chinese
from techmarket.common.templatetags.chinese import simplified, to_simplified
from techmarket.directory.models import Organisation, Region
from techmarket.policy import urls as policy_urls
from techmarket.policy.services.data import rulebook
from techmarket.policy.services.display import readable
from tests.policy.evidence import submit_with_evidence, with_evidence
from tests.web.words import english_words

PLAN_ARTICLE = "二、(一)3. 加強關鍵技術研發合作"
# Characters of the 2025 plan's quotations that exist only in traditional writing.
TRADITIONAL = set("強關鍵術發與為對業獎勵萬實項規劃級資開內動創國團報從戰損據暢構機權況產當給經績續聯臺設許認讓財買貸費"
                  "購轉進運過選銀險額風飛駐償價兩務後")
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[a-z]+\d{4}-[a-z0-9-]+")
HEX_HASH = re.compile(r"(?<![0-9A-Za-z])(?=[0-9]*[a-f])[0-9a-f]{7,}(?![0-9A-Za-z])")


class _Visible(HTMLParser):
    """The text a person sees in the page's main part: text nodes and tooltips, not markup, scripts or values."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth:
            self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _Visible()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def problems(text: str) -> list[str]:
    """What a user page must not show."""
    found = []
    traditional = sorted({ch for ch in text if ch in TRADITIONAL})
    if traditional:
        found.append(f"traditional characters {''.join(traditional)}")
    ids = {rule.id for rule in rulebook().rules}
    found += [f"rule id {m}" for m in RULE_ID.findall(text)] + [f"rule id {i}" for i in ids if i in text]
    found += [f"hash {m}" for m in HEX_HASH.findall(text)]
    if "docs/" in text:
        found.append("repository path docs/")
    found += [f"word {w}" for w in english_words(text)]  # the allow-list of tests/web/words.py
    return found


# --- The filter --------------------------------------------------------------------------------------------


def test_simplified_shows_traditional_characters_as_simplified():
    assert to_simplified(PLAN_ARTICLE) == "二、(一)3. 加强关键技术研发合作"
    assert to_simplified("對企業內部立項并投入自有資金開展研發活動的項目") == (
        "对企业内部立项并投入自有资金开展研发活动的项目")
    assert to_simplified("青海大学 ¥1,000.00 PDF") == "青海大学 ¥1,000.00 PDF"  # simplified text unchanged
    assert to_simplified(None) == "" and to_simplified(2025) == "2025"


def test_the_simplified_filter_in_a_template_escapes_as_usual():
    template = Template("{% load chinese %}{{ text|simplified }}|{{ quoted|simplified }}")
    shown = template.render(Context({"text": "<b>與</b>", "quoted": mark_safe("<i>關鍵</i>")}))
    assert shown == "&lt;b&gt;与&lt;/b&gt;|<i>关键</i>"
    assert not isinstance(simplified("與"), SafeData)


def test_one_converter_per_process_shared_by_threads():
    assert chinese._converter() is chinese._converter()
    start = threading.Barrier(8)

    def convert(worker: int) -> list[str]:
        start.wait()  # all threads convert at once
        return [to_simplified(f"{PLAN_ARTICLE}{worker}-{i}") for i in range(100)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(convert, range(8)))
    assert results == [[f"二、(一)3. 加强关键技术研发合作{w}-{i}" for i in range(100)] for w in range(8)]


def test_field_codes_of_the_rule_files_read_as_the_calculators_labels():
    book = rulebook()
    assert readable(book.rule("oc2025-3-self-funded-rd").notes) == (
        "300万元为每个研发项目的累计上限：同一项目逐年申报的研发投入须给出相同的“项目或合同编号”。")
    assert "年数取事件的“年数”（建设期）" in readable(book.rule("oc2025-5-national-platform").notes)
    assert readable("事件缺少计算所需的金额：实际到位金额（amounts.paid）") == "事件缺少计算所需的金额：实际到位金额"
    assert readable("每个团队（project）一次。") == "每个团队（以“项目或合同编号”区分）一次。"
    assert readable("可在事件 parameters 中给出区间内的比例") == "可在开放接口的事件参数中给出区间内的比例"
    assert readable("受益方：Delta project Ltd.（买方）") == "受益方：Delta project Ltd.（买方）"  # a name stays
    for rule in book.rules:
        for text in (rule.notes or "", rule.document.validity or "", *(c.label for c in rule.conditions)):
            assert problems(readable(text)) == [], (rule.id, readable(text))


# --- The pages ---------------------------------------------------------------------------------------------


def _event(**changes) -> dict:
    return {"date": "2025-06-01", "role": "recipient", **changes}


CALCULATIONS = [  # what members and reviewers enter on the calculator: the 2025 plan's rules, awarded or not
    _event(type="rd-spending", amount="5000000", flags=["self_funded", "listed_in_provincial_plan"]),
    _event(type="recognition", kind="national-innovation-platform", years="7"),
    _event(type="technology-contract", kind="transfer", role="buyer", amount="1000000", others="技术经纪人：张三",
           flags=["from_outside_qinghai", "buyer_in_qinghai", "online"]),
    _event(type="local-contribution", kind="production", amount="1000000",
           flags=["key_project", "registered_in_qinghai", "in_production"]),
    _event(type="loan-loss", role="bank", amount="1000000", flags=["sme_borrower"]),
    _event(type="recognition", kind="flexible-talent", flags=["flexible", "performance_reviewed"]),
    _event(type="technology-contract", kind="transfer", date="2019-06-01", role="buyer", amount="5000000",
           flags=["online", "registered", "delivered"], project="甲-1"),
    _event(type="technology-contract", kind="high-tech-enterprise", role="buyer", amount="1000"),  # a wrong kind
]


@pytest.fixture
def people(member, reviewer, qinghai_university, registered_contract):
    member.display_name, reviewer.display_name = "王会员", "李审核"
    member.save()
    reviewer.save()
    parties = [{"role": "recipient", "name": qinghai_university.name}]
    rd = submit_with_evidence(member, {"type": "rd-spending", "date": "2025-06-01", "amounts": {"amount": "5000000"},
                                      "flags": {"self_funded": True, "listed_in_provincial_plan": True},
                                      "parties": parties})
    platform = submit_with_evidence(member, {"type": "recognition", "kind": "national-innovation-platform",
                                            "date": "2025-06-01", "years": 3, "parties": parties})
    institution = submit_with_evidence(member, {"type": "recognition", "kind": "new-rd-institution",
                                               "date": "2025-06-01", "parties": parties})
    seller = Organisation.objects.create(name="北京先进储能技术有限公司", region=Region.objects.get(code="beijing"))
    contract = registered_contract(seller, qinghai_university, title="高原储能技术许可")
    return {"member": member, "reviewer": reviewer, "rd": rd, "platform": platform, "institution": institution,
            "contract": contract}


def _walk(client, login, people) -> dict[tuple[str, str], str]:
    """Every policy page, as each role that sees it: (url name, who and what) → the visible text."""
    pages = {}

    def visit(name, label, response):
        assert response.status_code == 200, (name, label, response.status_code)
        pages[(name, label)] = visible_text(response)

    calculator, index = reverse("policy:calculator"), reverse("policy:index")
    detail = {key: reverse("policy:application", args=[people[key].pk]) for key in ("rd", "platform", "institution")}
    visit("index", "visitor", client.get(index))

    login(people["member"])
    visit("index", "member", client.get(index))
    visit("calculator", "member", client.get(calculator))
    for number, data in enumerate(CALCULATIONS):
        visit("calculator", f"member, calculation {number}", client.post(calculator, data))
    event = client.post(calculator, CALCULATIONS[-2]).context["event_json"]
    visit("apply", "member", client.post(reverse("policy:apply"), with_evidence({"event": event}), follow=True))
    visit("apply", "member, again", client.post(reverse("policy:apply"), with_evidence({"event": event}), follow=True))
    visit("apply", "member, bad data", client.post(reverse("policy:apply"), {"event": "{"}, follow=True))
    visit("my-applications", "member", client.get(reverse("policy:my-applications")))
    visit("claimable", "member", client.get(reverse("policy:claimable")))
    visit("claim", "member", client.get(reverse("policy:claim", args=["market.contract", people["contract"].pk])))
    visit("application", "member, open", client.get(detail["rd"]))

    login(people["reviewer"])
    visit("index", "reviewer", client.get(index))
    visit("calculator", "reviewer", client.get(calculator))
    visit("calculator", "reviewer, calculation", client.post(calculator, CALCULATIONS[0]))
    visit("review", "reviewer, queue", client.get(reverse("policy:review")))
    visit("application", "reviewer, open", client.get(detail["rd"]))
    visit("application", "reviewer, adjust refused",
          client.post(detail["rd"], {"action": "adjust", "adjust-amount_0": "1", "adjust-reason": ""}))
    client.post(detail["platform"], {"action": "approve", "approve-reason": "", "approve-evidence_checked": "on"})
    client.post(detail["platform"], {"action": "pay", "pay-year": "2025"})
    client.post(detail["institution"], {"action": "reject", "reject-reason": "材料不全"})
    visit("application", "reviewer, granted", client.get(detail["platform"]))
    visit("application", "reviewer, rejected", client.get(detail["institution"]))
    visit("review", "reviewer, decided", client.get(reverse("policy:review"), {"tab": "decided"}))
    visit("ledger", "reviewer", client.get(reverse("policy:ledger")))
    visit("ledger", "reviewer, entries",
          client.get(reverse("policy:ledger"), {"programme": "open-cooperation-2025", "year": 2025}))

    login(people["member"])
    visit("application", "member, granted", client.get(detail["platform"]))
    return pages


@pytest.mark.django_db
def test_every_policy_page_speaks_simplified_chinese(client, login, people):
    pages = _walk(client, login, people)
    downloads = {"evidence"}  # a file, not a page (tests/policy/test_evidence.py downloads it)
    assert {name for name, _ in pages} == {pattern.name for pattern in policy_urls.urlpatterns} - downloads
    found = {f"{name} ({who})": problems(text) for (name, who), text in pages.items() if problems(text)}
    assert found == {}


@pytest.mark.django_db
def test_the_plan_is_shown_simplified_and_stored_as_printed(client, login, people):
    application = people["rd"]
    assert application.awards[0]["source"]["article"] == PLAN_ARTICLE  # stored as computed, quoted as printed
    assert "加強關鍵技術研發合作" in rulebook().rule("oc2025-3-self-funded-rd").article
    text = visible_text(login(people["member"]).get(reverse("policy:application", args=[application.pk])))
    assert "二、(一)3. 加强关键技术研发合作" in text
    assert "对企业内部立项并投入自有资金开展研发活动的项目" in text
    assert "企业自有资金研发项目奖励" in text  # the rule by its title
    assert "按提交时的现行条款计算" in text
    index = visible_text(client.get(reverse("policy:index")))
    assert "“本《方案》自印发之日起施行。”" in index
    assert "须给出相同的“项目或合同编号”" in index


@pytest.mark.django_db
def test_the_event_typed_in_full_is_for_reviewers_only(login, member, reviewer):
    calculator = reverse("policy:calculator")
    assert "advanced" not in login(member).get(calculator).context["form"].fields
    response = login(member).post(calculator, {**CALCULATIONS[0], "advanced": '{"type": "rd-spending"}'})
    assert "可获得的奖补" in response.content.decode()  # ignored: the fields count
    form = login(reviewer).get(calculator).context["form"]
    assert form.fields["advanced"].label == "完整事件数据（高级）"
    assert not problems(form.fields["advanced"].help_text)


@pytest.mark.django_db
def test_a_kind_of_another_event_type_is_named_in_words(login, member):
    response = login(member).post(reverse("policy:calculator"), CALCULATIONS[-1])
    assert response.context["form"].errors["kind"] == [
        "类别“新认定高新技术企业”不适用于“技术合同”事件，可选：技术开发、技术转让、技术许可、作价入股、先使用后付费、技术咨询、技术服务。"]
