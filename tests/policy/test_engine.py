"""The engine's behaviour beyond the tables: the acceptance deal's derivations and reasons, event validation,
dated parameters, and the rule files' checks."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from techmarket.policy.services.engine import evaluate, evaluate_sequence
from techmarket.policy.services.events import EventError, parse_event
from techmarket.policy.services.ledger import Ledger
from techmarket.policy.services.results import yuan
from techmarket.policy.services.rulebook import RuleFileError, load_rulebook

DATA = Path(settings.TECHMARKET_DATA_FILES) / "policy"
BOOK = load_rulebook(DATA)
DEAL = {
    "type": "technology-contract", "kind": "transfer", "amount": "5000000",
    "parties": [{"role": "buyer", "name": "买方企业"}, {"role": "seller", "name": "卖方研究所"},
                {"role": "broker", "name": "经纪人张三", "qualifications": ["broker"]}],
    "flags": {"online": True, "registered": True, "delivered": True},
}


def deal(**changes) -> dict:
    return {**DEAL, **changes}


def by_rule(result) -> dict:
    return {award.rule_id: award for award in result.awards}


# --- Acceptance ----------------------------------------------------------------------------------------------


def test_a_2019_online_deal_of_five_million_pays_buyer_and_broker_citing_articles_33_and_34():
    result = evaluate(parse_event(deal(date="2019-06-01"), BOOK), BOOK)
    awards = by_rule(result)
    assert set(awards) == {"tm2016-art33-buyer", "tm2016-art34-intermediary"}

    buyer = awards["tm2016-art33-buyer"]
    assert (buyer.beneficiary, buyer.beneficiary_role, buyer.amount) == ("买方企业", "buyer", Decimal("100000.00"))
    assert buyer.source.number == "青政办〔2016〕226号" and buyer.source.article == "第三十三条"
    assert "按实际发生技术交易额的３％、最高不超过１０万元给予买方补助" in buyer.source.excerpt
    assert buyer.steps[0] == "依据《青海省技术市场管理办法》（青政办〔2016〕226号）第三十三条"
    assert "按比例：¥5,000,000.00 × 3% = ¥150,000.00" in buyer.steps
    assert buyer.caps_applied == ["每个项目上限 ¥100,000.00"]
    assert buyer.steps[-1] == "奖补金额：¥100,000.00"
    assert [s.number for s in buyer.see_also] == ["青政办〔2016〕218号"]

    broker = awards["tm2016-art34-intermediary"]
    assert (broker.beneficiary, broker.amount) == ("经纪人张三", Decimal("50000.00"))
    assert broker.source.article == "第三十四条" and "第三十四条" in broker.steps[0]
    assert "按比例：¥5,000,000.00 × 1% = ¥50,000.00" in broker.steps
    assert result.total == Decimal("150000.00")


def test_the_same_deal_in_2022_gets_nothing_under_articles_33_and_34_and_says_why():
    result = evaluate(parse_event(deal(date="2022-03-01"), BOOK), BOOK)
    assert result.awards == []
    reasons = {n.rule_id: (n.code, n.reason, n.source.article) for n in result.not_applied}
    expected = "该条款有效期至2021-12-31，事件日期2022-03-01不在有效期内；目前没有接续的现行条款"
    assert reasons["tm2016-art33-buyer"] == ("period", expected, "第三十三条")
    assert reasons["tm2016-art34-intermediary"] == ("period", expected, "第三十四条")


def test_a_rule_whose_validity_ended_points_to_the_rule_in_force(tmp_path):
    import shutil

    import yaml

    from techmarket.policy.services.rulebook import load_rulebook
    from tests.policy.test_schemas import DATA

    data = tmp_path / "policy"
    shutil.copytree(DATA, data)
    path = data / "rules" / "tm2016-technology-market.yaml"
    text = yaml.safe_load(path.read_text(encoding="utf-8"))
    text["rules"][0]["succeeded_by"] = ["oc2025-8-technology-introduction"]
    path.write_text(yaml.safe_dump(text, allow_unicode=True), encoding="utf-8")
    book = load_rulebook(data)
    reasons = {n.rule_id: n.reason for n in evaluate(parse_event(deal(date="2026-03-01"), book), book).not_applied}
    assert "不在有效期内；现行接续条款：引进省外先进技术成果奖励（《" in reasons[text["rules"][0]["id"]]
    # Before the successor's validity began, there was none in force.
    reasons = {n.rule_id: n.reason for n in evaluate(parse_event(deal(date="2023-03-01"), book), book).not_applied}
    assert reasons[text["rules"][0]["id"]].endswith("目前没有接续的现行条款")


def test_every_rule_not_applied_is_listed_with_a_reason():
    result = evaluate(parse_event(deal(date="2019-06-01"), BOOK), BOOK)
    listed = {a.rule_id for a in result.awards} | {n.rule_id for n in result.not_applied}
    assert listed == {rule.id for rule in BOOK.rules}
    assert all(n.reason for n in result.not_applied)
    other = next(n for n in result.not_applied if n.rule_id == "oc2025-9-high-tech-enterprise")
    assert other.code == "event_type" and other.reason == "本条款适用于“认定或入选”事件，不适用于“技术合同”事件"


def test_a_cap_spanning_events_shows_the_amount_already_counted():
    first, second = evaluate_sequence([parse_event(deal(date="2019-06-01", amount="2000000", project="P"), BOOK),
                                       parse_event(deal(date="2019-09-01", amount="2000000", project="P"), BOOK)],
                                      BOOK)
    award = by_rule(second)["tm2016-art33-buyer"]
    assert award.amount == Decimal("40000.00")
    assert award.prior == [{"scope": "project", "label": "每个项目", "amount": Decimal("60000.00"),
                            "base": Decimal("2000000")}]
    assert "每个项目上限 ¥100,000.00：已计入 ¥60,000.00，尚可 ¥40,000.00 → 取 ¥40,000.00" in award.steps


def test_a_vague_parameter_says_what_the_text_says_and_which_default_was_used():
    event = parse_event({"type": "loan-loss", "date": "2026-01-10", "amount": "1000000",
                         "parties": [{"role": "bank", "name": "银行"}], "flags": {"sme_borrower": True}}, BOOK)
    (award,) = evaluate(event, BOOK).awards
    assert award.estimate
    assert award.parameters[0]["text"] == "30%—40%" and award.parameters[0]["value"] == "0.30"
    assert any(step.startswith("参数：条文为“30%—40%”，按默认值 30%") for step in award.steps)


def test_a_yearly_award_is_split_into_instalments():
    event = parse_event({"type": "recognition", "kind": "national-innovation-platform", "date": "2026-05-01",
                         "years": 2, "parties": [{"role": "recipient", "name": "平台"}]}, BOOK)
    (award,) = evaluate(event, BOOK).awards
    assert [(i.year, i.amount) for i in award.instalments] == [(2026, Decimal("2000000.00")),
                                                              (2027, Decimal("2000000.00"))]


def test_the_result_is_json_ready():
    data = evaluate(parse_event(deal(date="2019-06-01"), BOOK), BOOK).as_dict()
    assert data["total"] == "150000.00"
    assert data["awards"][0]["amount"] == "100000.00"
    assert data["awards"][0]["source"]["article"] == "第三十三条"


def test_money_is_formatted_in_yuan():
    assert yuan(Decimal("1234.5")) == "¥1,234.50"
    assert yuan(Decimal("4.99995")) == "¥4.99995"


# --- Events ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"type": "lottery"}, "未知的事件类型"),
    ({"date": "2019-13-01"}, "date 须为日期"),
    ({"kind": "high-tech-enterprise"}, "不适用于“技术合同”事件"),
    ({"amount": "-5"}, "须为非负金额"),
    ({"amount": "five"}, "不是有效金额"),
    ({"flags": {"onlien": True}}, "未知的事件标记：onlien"),
    ({"flags": {"online": "yes"}}, "须为 true 或 false"),
    ({"parties": [{"role": "customer", "name": "x"}]}, "已知角色"),
    ({"colour": "blue"}, "未知字段：colour"),
    ({"parameters": {"tm2016-art33-buyer": {"rate": "0.05"}}}, "不可选择"),
    ({"parameters": {"no-such-rule": {"rate": "0.05"}}}, "条款不存在"),
])
def test_events_the_engine_refuses(change, message):
    with pytest.raises(EventError) as error:
        parse_event({**deal(date="2019-06-01"), **change}, BOOK)
    assert message in error.value.zh


def test_an_event_round_trips_through_its_json_form():
    event = parse_event(deal(date="2019-06-01", project="P-1", year=2019), BOOK)
    assert parse_event(event.as_dict(), BOOK) == event


def test_prior_entries_are_checked():
    with pytest.raises(EventError, match="no rule"):
        Ledger.from_data([{"rule": "nope", "amount": "1"}], BOOK)


# --- Rule files ------------------------------------------------------------------------------------------------


def test_every_rule_cites_its_document_article_and_an_excerpt():
    assert len(BOOK.rules) == 36
    for rule in BOOK.rules:
        assert rule.document.title and rule.document.number and rule.article and len(rule.excerpt) >= 10, rule.id
        assert rule.programme in BOOK.programmes and rule.payer, rule.id
    assert {d.number for d in BOOK.documents} == {
        "青政办〔2016〕226号", "青政〔2025〕13号", "青政〔2017〕70号", "青组字〔2016〕181号", "青人才字〔2016〕4号",
        "青人才办字〔2015〕7号", "省科技厅报告（2017年9月4日）"}


def test_the_2025_plan_runs_to_the_end_of_2027_and_the_2016_measures_to_the_end_of_2021():
    assert str(BOOK.rule("oc2025-7-transformation-platform").valid_until) == "2027-12-31"
    assert str(BOOK.rule("tm2016-art33-buyer").valid_until) == "2021-12-31"


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "policy"
    shutil.copytree(DATA, target)
    return target


def edit_rule(directory: Path, file: str, rule_id: str, **changes) -> None:
    path = directory / "rules" / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == rule_id)
    rule.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_misspelt_flag_fails_when_the_rules_are_loaded(data_copy):
    edit_rule(data_copy, "tm2016-technology-market.yaml", "tm2016-art33-buyer", conditions=[{"flag": "onlin"}])
    with pytest.raises(RuleFileError, match="tm2016-technology-market.yaml: rule tm2016-art33-buyer: unknown flag"):
        load_rulebook(data_copy)


def test_a_vague_parameter_must_document_its_default(data_copy):
    edit_rule(data_copy, "oc2025-open-cooperation.yaml", "oc2025-14-loan-risk-compensation",
              formula={"kind": "rate", "base": "amount", "rate": {"range": ["0.30", "0.40"], "default": "0.30"}})
    with pytest.raises(RuleFileError, match="must document its default"):
        load_rulebook(data_copy)


def test_a_rule_without_an_excerpt_is_refused(data_copy):
    edit_rule(data_copy, "tm2016-technology-market.yaml", "tm2016-art34-intermediary", excerpt="")
    with pytest.raises(RuleFileError, match="excerpt"):
        load_rulebook(data_copy)


def test_dated_parameter_values_apply_from_their_dates(data_copy):
    edit_rule(data_copy, "tm2016-technology-market.yaml", "tm2016-art34-intermediary",
              formula={"kind": "rate", "base": "amount",
                       "rate": {"values": {"2016-12-27": "0.01", "2020-01-01": "0.02"}}})
    book = load_rulebook(data_copy)

    def broker(day):
        return by_rule(evaluate(parse_event(deal(date=day, amount="1000000"), book), book))[
            "tm2016-art34-intermediary"].amount

    assert (broker("2019-12-31"), broker("2020-01-01")) == (Decimal("10000.00"), Decimal("20000.00"))
