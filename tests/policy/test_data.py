"""The rule files mirrored into the database (after migrate and before applications), and the read-only admin."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from techmarket.policy.models import Budget, Programme, Rule
from techmarket.policy.services.data import ensure_synced, rulebook, sync_policy_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_files(tmp_path, settings):
    """A copy of data/ that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(Path(settings.TECHMARKET_DATA_FILES) / "policy", target / "policy")
    settings.TECHMARKET_DATA_FILES = target
    return target / "policy"


def test_rules_programmes_and_budgets_are_synced_after_migrate():
    assert Rule.objects.filter(active=True).count() == 36
    assert Programme.objects.count() == len(rulebook().programmes)
    budget = Budget.objects.get(programme__code="provincial-st-fund", year=2017)
    assert str(budget.amount) == "625000000.00" and "6.25亿元" in budget.source
    assert not Budget.objects.exclude(year=2017).exists()


def test_sync_is_idempotent():
    before = list(Rule.objects.values_list("rule_id", "content_hash", "version"))
    sync_policy_data()
    assert list(Rule.objects.values_list("rule_id", "content_hash", "version")) == before


def test_a_changed_file_is_synced_before_use_and_a_removed_rule_becomes_inactive(data_files):
    path = data_files / "rules" / "tm2016-technology-market.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"] = [r for r in data["rules"] if r["id"] != "tm2016-art34-intermediary"]
    data["rules"][0]["formula"]["caps"][0]["amount"] = "120000"
    data["document"]["version"] = 2
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    old_hash = Rule.objects.get(rule_id="tm2016-art33-buyer").content_hash

    ensure_synced()
    rule = Rule.objects.get(rule_id="tm2016-art33-buyer")
    assert rule.content_hash != old_hash and rule.version == "2"
    assert rule.data["formula"]["caps"][0]["amount"] == "120000"
    assert not Rule.objects.get(rule_id="tm2016-art34-intermediary").active


def test_the_admin_shows_rules_read_only(client, make_user):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    rule = Rule.objects.get(rule_id="tm2016-art33-buyer")
    response = client.get(reverse("admin:policy_rule_changelist"))
    assert response.status_code == 200 and "tm2016-art33-buyer" in response.content.decode()
    response = client.get(reverse("admin:policy_rule_change", args=[rule.pk]))
    assert response.status_code == 200 and "第三十三条" in response.content.decode()
    assert client.get(reverse("admin:policy_rule_add")).status_code == 403
    assert client.post(reverse("admin:policy_rule_delete", args=[rule.pk]), {"post": "yes"}).status_code == 403
    assert Rule.objects.filter(pk=rule.pk).exists()
    assert client.get(reverse("admin:policy_ledgerentry_changelist")).status_code == 200


def test_the_files_are_looked_at_once_a_second_not_for_every_label(client, monkeypatch):
    from techmarket.policy.services import data

    looked = []
    real_stamp = data._stamp
    monkeypatch.setattr(data, "_stamp", lambda directory: looked.append(directory) or real_stamp(directory))
    rulebook()
    looked.clear()
    assert client.get(reverse("policy:index")).status_code == 200  # the whole rulebook, hundreds of labels
    assert len(looked) <= 1


def test_a_file_changed_in_place_is_noticed_after_the_recheck_interval(data_files, monkeypatch):
    from techmarket.policy.services import data

    assert rulebook().rule("tm2016-art33-buyer").title == "网上技术交易买方补助"
    path = data_files / "rules" / "tm2016-technology-market.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 网上技术交易买方补助", "title: 网上交易买方补助"),
                    encoding="utf-8")
    monkeypatch.setitem(data._cache, "checked", data._cache["checked"] - data.RECHECK_SECONDS)
    assert rulebook().rule("tm2016-art33-buyer").title == "网上交易买方补助"
