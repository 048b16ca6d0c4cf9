"""`techmarket registrations` and `techmarket export_registrations`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from techmarket.cli import main
from techmarket.market.services import registration as reg


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two(make_contract, seller, seller_org, buyer_org, registry, xining_registrar):
    registered = reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(
        seller, make_contract(seller, seller_org, buyer_org), registry("xining"))))
    pending = reg.submit(seller, make_contract(seller, seller_org, buyer_org, total="2000000", title="第二份合同"),
                         registry("qinghai"))
    return registered, pending


def test_list_readable(two):
    registered, pending = two
    output = run("registrations")
    assert registered.number in output and "第二份合同" in output and "共 2 件" in output


def test_list_json_with_status(two):
    registered, _ = two
    data = json.loads(run("registrations", "--status", "registered", "--json"))
    assert [row["登记号"] for row in data] == [registered.number]
    assert data[0]["status"] == "registered" and data[0]["registry"] == "xining"
    assert data[0]["技术交易额（元）"] == "800000.00"


def test_list_by_registry_and_overdue(two):
    assert [row["registry"] for row in json.loads(run("registrations", "--registry", "qinghai", "--json"))] == [
        "qinghai"]
    assert json.loads(run("registrations", "--overdue", "--json")) == []
    with pytest.raises(CommandError, match="unknown registry 'lhasa'"):
        run("registrations", "--registry", "lhasa")


def test_export(two, tmp_path):
    registered, pending = two
    out = tmp_path / "registrations.xlsx"
    assert "已导出 2 件" in run("export_registrations", str(out))
    sheet = load_workbook(out)["技术合同登记"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("申请编号", "登记号", "状态")
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[registered.pk][1] == registered.number and by_id[registered.pk][2] == "已登记"
    assert by_id[pending.pk][2] == "已提交" and by_id[pending.pk][1] in ("", None)
    with pytest.raises(CommandError, match="must end in .xlsx"):
        run("export_registrations", str(tmp_path / "out.csv"))


def test_the_techmarket_command_runs_it(two, capsys):
    main(["techmarket", "registrations", "--status", "submitted"])
    assert "第二份合同" in capsys.readouterr().out
