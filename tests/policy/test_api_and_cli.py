"""The JSON API (/api/policy/rewards, /api/policy/rules) and `techmarket rewards EVENT.json`."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.policy.evidence import decide_checked, submit_with_evidence

REWARDS = "/api/policy/rewards"
DEAL = {
    "type": "technology-contract", "kind": "transfer", "date": "2019-06-01", "amount": 5000000,
    "parties": [{"role": "buyer", "name": "买方企业"},
                  {"role": "broker", "name": "经纪人张三", "qualifications": ["broker"]}],
    "flags": {"online": True, "registered": True, "delivered": True},
}


def post(client, body):
    return client.post(REWARDS, json.dumps(body, ensure_ascii=False), content_type="application/json")


# --- API ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_computes_the_acceptance_deal_without_login(client):
    response = post(client, DEAL)
    assert response.status_code == 200
    data = response.json()
    amounts = {a["rule"]: (a["beneficiary"]["name"], a["amount"], a["source"]["article"]) for a in data["awards"]}
    assert amounts == {"tm2016-art33-buyer": ("买方企业", "100000.00", "第三十三条"),
                       "tm2016-art34-intermediary": ("经纪人张三", "50000.00", "第三十四条")}
    assert data["total"] == "150000.00" and data["rules_version"]
    buyer = next(a for a in data["awards"] if a["rule"] == "tm2016-art33-buyer")
    assert buyer["caps_applied"] == ["每个项目上限 ¥100,000.00"] and buyer["steps"][-1] == "奖补金额：¥100,000.00"


@pytest.mark.django_db
def test_the_api_says_why_the_2022_deal_gets_nothing(client):
    data = post(client, {**DEAL, "date": "2022-03-01"}).json()
    assert data["awards"] == []
    reasons = {n["rule"]: n["reason"] for n in data["not_applied"]}
    assert reasons["tm2016-art33-buyer"] == ("该条款有效期至2021-12-31，事件日期2022-03-01不在有效期内；"
                                             "目前没有接续的现行条款")


@pytest.mark.django_db
def test_prior_awards_in_the_body_count_against_caps(client):
    body = {**DEAL, "project": "P-1",
            "prior": [{"rule": "tm2016-art33-buyer", "beneficiary": "买方企业", "project": "P-1", "amount": "70000"}]}
    awards = {a["rule"]: a for a in post(client, body).json()["awards"]}
    assert awards["tm2016-art33-buyer"]["amount"] == "30000.00"
    assert awards["tm2016-art33-buyer"]["prior"][0]["amount"] == "70000"


@pytest.mark.django_db
def test_a_members_calculation_counts_their_organisations_ledger(client, login, member, reviewer, qinghai_university):
    event = {**DEAL, "project": "Q-1", "parties": [{"role": "buyer", "name": qinghai_university.name}]}
    decide_checked(submit_with_evidence(member, event), reviewer, "approve")
    assert post(client, {**event, "date": "2019-07-01"}).json()["awards"][0]["amount"] == "100000.00"
    login(member)
    data = post(client, {**event, "date": "2019-07-01"}).json()
    assert data["awards"] == []
    assert any(n["rule"] == "tm2016-art33-buyer" and n["code"] == "cap" for n in data["not_applied"])


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "message"), [
    ({**DEAL, "type": "gift"}, "未知的事件类型"),
    ({**DEAL, "colour": "blue"}, "未知字段：colour"),
    ({**DEAL, "amounts": {"amount": "-1"}}, "须为非负金额"),
    ({**DEAL, "prior": [{"rule": "nope", "amount": "1"}]}, "条款不存在"),
])
def test_the_api_refuses_bad_events_in_chinese(client, body, message):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("事件数据有误：") and message in response.json()["detail"]


@pytest.mark.django_db
def test_the_api_lists_the_rules_with_their_sources(client):
    rules = client.get("/api/policy/rules").json()
    assert len(rules) == 36
    art33 = next(r for r in rules if r["id"] == "tm2016-art33-buyer")
    assert (art33["number"], art33["article"], art33["valid_until"]) == (
        "青政办〔2016〕226号", "第三十三条", "2021-12-31")
    assert art33["formula"] == {"kind": "rate", "base": "amount", "base_label": "实际发生技术交易额", "rate": "0.03",
                                "caps": [{"amount": "100000", "per": "project"}]}
    assert all(r["excerpt"] and r["article"] for r in rules)


@pytest.mark.django_db
def test_the_policy_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/policy/rewards" in paths and "/api/policy/rules" in paths


# --- Command line ------------------------------------------------------------------------------------------


def run(path, *args) -> str:
    out = StringIO()
    call_command("rewards", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_awards_and_derivations(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(DEAL, ensure_ascii=False), encoding="utf-8")
    text = run(path)
    assert "AWARD tm2016-art33-buyer  买方企业: ¥100,000.00" in text
    assert "AWARD tm2016-art34-intermediary  经纪人张三: ¥50,000.00" in text
    assert "依据《青海省技术市场管理办法》（青政办〔2016〕226号）第三十三条" in text
    assert "TOTAL ¥150,000.00" in text


def test_the_command_writes_json(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({**DEAL, "date": "2022-03-01"}), encoding="utf-8")
    data = json.loads(run(path, "--json"))
    assert data["awards"] == [] and data["total"] == "0.00"
    assert {n["rule"]: n["code"] for n in data["not_applied"]}["tm2016-art33-buyer"] == "period"


def test_a_batch_shares_caps_across_its_events(tmp_path):
    path = tmp_path / "events.json"
    events = [{**DEAL, "amount": "2000000", "project": "P"}, {**DEAL, "amount": "2000000", "project": "P"}]
    path.write_text(json.dumps({"events": events, "prior": [
        {"rule": "tm2016-art33-buyer", "beneficiary": "买方企业", "project": "P", "amount": "10000"}]}),
        encoding="utf-8")
    results = json.loads(run(path, "--json"))["results"]
    buyer = [next(a["amount"] for a in r["awards"] if a["rule"] == "tm2016-art33-buyer") for r in results]
    assert buyer == ["60000.00", "30000.00"]
    assert "== Event 2: technology-contract 2019-06-01" in run(path)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    ('{"type": "technology-contract"}', "an event needs a date"),
    ('{"type": "technology-contract", "date": "2019-06-01", "colour": 1}', "unknown event fields: colour"),
    ('{"events": {}, "prior": []}', 'a batch is {"events": [...], "prior": [...]}'),
    ("[1, 2]", "an event must be a JSON object"),
])
def test_the_command_refuses_bad_input_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read .*nothing.json: No such file or directory"):
        run(tmp_path / "nothing.json")


def test_the_amounts_in_json_are_exact(tmp_path):
    path = tmp_path / "event.json"
    path.write_text('{"type": "loan-loss", "date": "2026-01-10", "amount": 0.05, "flags": {"sme_borrower": true},'
                    ' "parties": [{"role": "bank", "name": "银行"}]}', encoding="utf-8")
    award = json.loads(run(path, "--json"))["awards"][0]
    assert Decimal(award["amount"]) == Decimal("0.02") and award["base"] == "0.05"
