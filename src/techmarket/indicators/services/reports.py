"""The periodic report (定期调度) of a month or quarter: a PDF and an Excel workbook of every indicator, both made
from dashboard.rows (the same rows the dashboard shows). Generating a report stores the computed figures as
snapshots."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techmarket.common.pdf import cjk_font
from techmarket.indicators.services import dashboard, values
from techmarket.indicators.services.periods import Period

TITLE = "青海科技开放合作指标定期调度表"


def report_rows(period: Period, today: datetime.date, snapshot: bool = True) -> list[dashboard.Row]:
    items = dashboard.rows(period, today)
    if snapshot:
        values.snapshot(period, items)
    return items


def workbook(period: Period, items: list[dashboard.Row], today: datetime.date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append([f"{TITLE}（{period.label}）"])
    sheet.append([f"统计截至 {period.end.isoformat()}，生成于 {today.isoformat()}"])
    sheet.append(dashboard.HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for item in items:
        sheet.append(item.cells())
    for column, width in zip("ABCDEFGHIJKLMN", (28, 30, 6, 16, 8, 8, 12, 16, 12, 12, 18, 10, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows(min_row=4):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes) -> list[list[str]]:
    """The indicator rows of a workbook made by `workbook`, as strings (for checks)."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if cell is None else str(cell) for cell in line]
            for line in sheet.iter_rows(min_row=4, values_only=True)]


def pdf(period: Period, items: list[dashboard.Row], today: datetime.date) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=9.5)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=f"{TITLE}（{period.label}）")
    columns = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 13]  # plan, name, target, year, value, source, computed, manual, ...
    header = [Paragraph(dashboard.HEADERS[i], small) for i in columns]
    body = [[Paragraph(item.cells()[i], small) for i in columns] for item in items]
    table = Table([header, *body], repeatRows=1,
                  colWidths=[w * mm for w in (42, 40, 24, 13, 20, 24, 20, 20, 17, 20, 37)])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [Paragraph(f"{TITLE}（{period.label}）", title), Spacer(1, 4 * mm),
             Paragraph(f"统计截至 {period.end.isoformat()}，生成于 {today.isoformat()}。"
                       "平台计算值来自本平台认定登记的技术合同；"
                       "人工录入值须附佐证材料并经另一审核员审核后计入。", small), Spacer(1, 3 * mm), table]
    document.build(story)
    return buffer.getvalue()
