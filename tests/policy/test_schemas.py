"""Rule files and events are validated by the models of policy/schemas.py: a malformed rule file is refused with a
message naming the file, the rule and the field; a bad event gets the same Chinese message from the API and the
calculator page, and an English one from the command line."""

import html
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from techmarket.policy.services.rulebook import RuleFileError, load_rulebook

DATA = Path(settings.TECHMARKET_DATA_FILES) / "policy"
FILE = "tm2016-technology-market.yaml"
RULE = "tm2016-art33-buyer"


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "policy"
    shutil.copytree(DATA, target)
    return target


def edit(directory: Path, change) -> None:
    path = directory / "rules" / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data, next(r for r in data["rules"] if r["id"] == RULE))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def refusal(directory: Path) -> str:
    with pytest.raises(RuleFileError) as error:
        load_rulebook(directory)
    return str(error.value)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda data, rule: rule["formula"]["caps"][0].update(amount="lots"),
     f"{FILE}: rule {RULE}: Input should be a valid decimal (field formula.caps[0].amount)"),
    (lambda data, rule: rule.update(events="technology-contract", beneficiary=7),
     f"{FILE}: rule {RULE}: Input should be a valid tuple (field events)"),
    (lambda data, rule: rule.pop("article"), f"{FILE}: rule {RULE}: a required key is missing (field article)"),
    (lambda data, rule: rule.update(article="  "), f"{FILE}: rule {RULE}: must not be empty (field article)"),
    (lambda data, rule: rule["see_also"].append({"title": "某办法", "number": "1号", "article": "第一条"}),
     f"{FILE}: rule {RULE}: a required key is missing (field see_also[1].excerpt)"),
    (lambda data, rule: rule.update(colour="blue"), f"{FILE}: rule {RULE}: unknown key (field colour)"),
    (lambda data, rule: rule.update(succeeded_by=["no-such-rule"]),
     f"{FILE}: rule {RULE}: succeeded_by names unknown rules ['no-such-rule']"),
    (lambda data, rule: rule["formula"].update(rate={"default": "0.03", "nte": "x"}),
     f"{FILE}: rule {RULE}: unknown key (field formula.rate.nte)"),
    (lambda data, rule: rule["formula"]["caps"][0].update(per="month"),
     f"{FILE}: rule {RULE}: Input should be 'event', 'project', 'year' or 'beneficiary' (field formula.caps[0].per)"),
    (lambda data, rule: rule["formula"].update(years=3), f"{FILE}: rule {RULE}: rate does not take ['years'] "
                                                          "(field formula)"),
    (lambda data, rule: rule.update(beneficiary=["customer"]),
     f"{FILE}: rule {RULE}: unknown role ['customer'] (field beneficiary)"),
    (lambda data, rule: rule.update(programme="lottery"),
     f"{FILE}: rule {RULE}: programme 'lottery' is not in programmes.yaml (field programme)"),
    (lambda data, rule: data["document"].pop("number"), f"{FILE}: a required key is missing (field document.number)"),
    (lambda data, rule: data["document"].update(valid_until="2021-02-30"),
     f"{FILE}: Input should be a valid date or datetime, day value is outside expected range "
     "(field document.valid_until)"),
])
def test_a_malformed_rule_file_is_refused_naming_the_file_and_the_field(data_copy, change, expected):
    edit(data_copy, change)
    assert refusal(data_copy) == expected


def test_the_vocabulary_and_programmes_are_checked_too(data_copy):
    vocabulary = data_copy / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "colours: {red: 红}\n", encoding="utf-8")
    assert refusal(data_copy) == "vocabulary.yaml: unknown key (field colours)"
    shutil.copy(DATA / "vocabulary.yaml", vocabulary)
    programmes = data_copy / "programmes.yaml"
    data = yaml.safe_load(programmes.read_text(encoding="utf-8"))
    data["programmes"][0]["budgets"][0]["amount"] = "a lot"
    programmes.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert refusal(data_copy) == ("programmes.yaml: programme provincial-st-fund: Input should be a valid decimal "
                                  "(field budgets[0].amount)")


# --- Events: one model, one message ------------------------------------------------------------------------------

DEAL = {
    "type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": "5000000",
    "parties": [{"role": "buyer", "name": "青海大学"}], "flags": {"online": True},
}
BAD_EVENTS = [
    ({**DEAL, "flags": {"online": "yes"}}, "标记 online 须为 true 或 false。", "flag online must be true or false"),
    ({**DEAL, "amount": "five"}, "amounts.amount 不是有效金额：'five'。", "amounts.amount is not a valid amount"),
    ({**DEAL, "amounts": {"paid": -1}}, "amounts.paid 须为非负金额。", "amounts.paid must be a non-negative amount"),
    ({**DEAL, "year": "soon"}, "year 须为整数。", "year must be an integer"),
    ({**DEAL, "years": 0}, "years 须在 1—100 之间。", "years must be between 1 and 100"),
    ({**DEAL, "date": "2019-02-30"}, "date 须为日期（YYYY-MM-DD）。", "date must be a date (YYYY-MM-DD)"),
    ({**DEAL, "since": "1900-01-01"}, "since 须在 1985 年 1 月 1 日至 2100 年 12 月 31 日之间。",
     "since must be between"),
    ({**DEAL, "parties": [{"role": "buyer"}]}, "第1个当事方须有已知角色 role 和名称 name。",
     "parties[0] needs a known role"),
    ({**DEAL, "parties": [{"role": "buyer", "name": "甲", "organisation_id": "x"}]},
     "parties[0].organisation_id 须为整数。", "parties[0].organisation_id must be an integer"),
    ({**DEAL, "flags": ["online"]}, "flags 须为对象。", "flags must be an object"),
    ({**DEAL, "kind": "lottery"}, "类型 kind 'lottery' 不适用于“技术合同”事件。", "kind 'lottery' is not one of"),
    ({**DEAL, "colour": "blue", "size": 1}, "事件含有未知字段：colour, size。", "unknown event fields: colour, size"),
    ({key: value for key, value in DEAL.items() if key != "date"}, "事件须有日期 date。", "an event needs a date"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "zh", "en"), BAD_EVENTS)
def test_the_api_the_page_and_the_command_refuse_a_bad_event_alike(client, login, reviewer, tmp_path, event, zh, en):
    message = f"事件数据有误：{zh}"
    response = client.post("/api/policy/rewards", json.dumps(event, ensure_ascii=False),
                           content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": message})
    # The event typed in full is offered on reviewers' calculator only.
    page = login(reviewer).post(reverse("policy:calculator"), {
        "type": "technology-contract", "date": "2019-06-01", "role": "buyer",
        "advanced": json.dumps(event, ensure_ascii=False)})
    assert message in html.unescape(page.content.decode())
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("rewards", str(path), stdout=StringIO())
    assert en in str(error.value)


@pytest.mark.django_db
def test_the_api_documents_the_event_model_it_validates_with(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/policy/rewards"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["date"]
    assert {"type", "date", "amounts", "parties", "flags", "parameters", "prior"} <= set(schema["properties"])
    assert "$ref" not in json.dumps(schema)
