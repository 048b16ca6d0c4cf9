"""Excel workbooks (openpyxl): the statistics (aggregates only, what the public page shows) and the registrations
list (the registries' and administrators' working file)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from techmarket.market.models import Location, Registration
from techmarket.market.services import sides
from techmarket.market.services.registration import is_overdue
from techmarket.market.services.rules import rules
from techmarket.market.services.statistics import Statistics

MONEY_FORMAT = "#,##0.00"
LOCATIONS = dict(Location.choices)


def _sheet(workbook: Workbook, title: str, header: list[str], data: Iterable[list], money_columns=()) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in data:
        sheet.append(row)
    for column in money_columns:
        for cell in sheet[get_column_letter(column)][1:]:
            cell.number_format = MONEY_FORMAT
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) * 2 + 4)
    sheet.freeze_panes = "A2"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statistics_workbook(result: Statistics) -> bytes:
    """Sheet 汇总 (totals, filters, absorbed and introduced figures), then one sheet per table: 类别, 合同数,
    技术交易额（元）, 合同总额（元）. Amounts are numbers, in yuan."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    f = result.filters
    summary = [
        ["统计口径", "已登记（含变更登记）、未注销的技术合同，按登记日期；金额为登记机构认定的技术交易额"],
        ["登记日期起", f.start.isoformat() if f.start else "不限"],
        ["登记日期止", f.end.isoformat() if f.end else "不限"],
        ["合同类型", rules().type_name(f.contract_type) if f.contract_type else "全部"],
        ["登记机构", f.registry or "全部"],
        ["技术领域", f.field or "全部"],
        ["成交方式", "全部" if f.on_platform is None else ("经平台成交" if f.on_platform else "非平台成交")],
        ["合同数", result.count],
        ["技术交易额（元）", result.amount],
        ["合同总额（元）", result.total_amount],
        ["吸纳省外技术合同数（买方省内、卖方省外或境外）", result.absorbed.count],
        ["吸纳省外技术交易额（元）", result.absorbed.amount],
        ["引进技术成果合同数（吸纳中的技术转让、技术许可）", result.introduced.count],
        ["引进技术成果交易额（元）", result.introduced.amount],
        ["经平台成交合同数", result.on_platform.count],
        ["经平台成交技术交易额（元）", result.on_platform.amount],
        ["导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")],
    ]
    _sheet(workbook, "汇总", ["项目", "数值"], summary)
    for row in workbook["汇总"].iter_rows(min_row=2):
        if "（元）" in str(row[0].value):
            row[1].number_format = MONEY_FORMAT
    for _, (title, buckets) in result.tables.items():
        _sheet(workbook, title, ["类别", "合同数", "技术交易额（元）", "合同总额（元）"],
               [[b.label, b.count, b.amount, b.total_amount] for b in buckets], money_columns=(3, 4))
    return _save(workbook)


REGISTRATION_HEADER = [
    "申请编号", "登记号", "状态", "登记机构", "合同名称", "合同类型", "签订日期", "登记方", "卖方", "卖方所在地",
    "买方", "买方所在地", "合同总额（元）", "技术交易额（元）", "认定技术交易额（元）", "经平台成交", "收到申请日期",
    "应作出决定日期", "是否逾期", "登记日期", "注销原因", "省外登记机构", "省外登记号",
]


def registration_row(registration: Registration) -> list:
    contract = registration.contract
    r = rules()
    return [
        registration.pk, registration.number or "", registration.get_status_display(), registration.registry.name,
        contract.title, r.type_name(contract.contract_type), contract.signed_on, registration.organisation.name,
        "、".join(p.organisation.name for p in sides.sellers(contract)),
        LOCATIONS.get(sides.seller_location(contract), ""),
        "、".join(p.organisation.name for p in sides.buyers(contract)),
        LOCATIONS.get(sides.buyer_location(contract), ""),
        contract.total_amount, contract.technology_amount, registration.technology_amount,
        "是" if contract.made_on_platform else "否", registration.received_on, registration.due_on,
        "逾期" if is_overdue(registration) else ("逾期作出决定" if registration.decided_late else ""),
        registration.registered_on, registration.get_cancel_kind_display() if registration.cancel_kind else "",
        registration.external_registry, registration.external_number,
    ]


def registrations_workbook(registrations: Iterable[Registration]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "技术合同登记", REGISTRATION_HEADER, (registration_row(r) for r in registrations),
           money_columns=(13, 14, 15))
    sheet = workbook["技术合同登记"]
    for column in (7, 17, 18, 20):
        for cell in sheet[get_column_letter(column)][1:]:
            cell.number_format = "yyyy-mm-dd"
    return _save(workbook)
