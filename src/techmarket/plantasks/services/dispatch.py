"""The dispatch-meeting report (定期调度) of a quarter: every task unit's progress for the quarter, the overdue
reports of earlier quarters still missing, and the indicators' figures for the same quarter, taken from
`indicators.services.dashboard.rows` (the rows the dashboard shows), as a PDF and an Excel workbook."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from html import escape

from openpyxl import load_workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techmarket.common.pdf import cjk_font
from techmarket.common.tables import as_xlsx_sheets
from techmarket.indicators.services import dashboard
from techmarket.indicators.services.periods import Period
from techmarket.plantasks.services import definitions, progress

TITLE = "青海科技开放合作三年行动方案定期调度报告"
SHEETS = ("任务进展", "逾期未报", "指标")


@dataclass
class Dispatch:
    period: Period
    today: datetime.date
    statuses: list[progress.UnitStatus]
    overdue: list[progress.UnitStatus]  # required reports past due, of this quarter and earlier ones
    indicators: list[dashboard.Row]

    @property
    def title(self) -> str:
        return f"{TITLE}（{self.period.label}）"

    def tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        """(sheet name, header, rows) of each part, in the order both files print them."""
        return [
            (SHEETS[0], progress.STATUS_HEADERS, [s.cells() for s in self.statuses]),
            (SHEETS[1], progress.STATUS_HEADERS, [s.cells() for s in self.overdue]),
            (SHEETS[2], dashboard.HEADERS, [row.cells() for row in self.indicators]),
        ]

    @property
    def counts(self) -> dict[str, int]:
        result = dict.fromkeys(progress.STATE_LABELS, 0)
        for status in self.statuses:
            result[status.state] += 1
        return result


def build(period: Period, today: datetime.date) -> Dispatch:
    overdue = [s for s in progress.overdue(today) if s.period.start <= period.start]
    return Dispatch(period, today, progress.statuses(period, today), overdue, dashboard.rows(period, today))


def workbook(dispatch: Dispatch) -> bytes:
    return as_xlsx_sheets(dispatch.tables(), wrap=True)


def sheet_rows(data: bytes, name: str) -> list[list[str]]:
    """The rows of one sheet of a workbook made by `workbook`, as strings (for checks)."""
    sheet = load_workbook(io.BytesIO(data))[name]
    return [["" if cell is None else str(cell) for cell in line]
            for line in sheet.iter_rows(min_row=2, values_only=True)]


def pdf(dispatch: Dispatch) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=9.5)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=dispatch.title)
    counts = dispatch.counts
    story = [Paragraph(dispatch.title, title), Spacer(1, 4 * mm), Paragraph(
        f"报送周期 {dispatch.period.label}，截止日期 {definitions.due_date(dispatch.period).isoformat()}，"
        f"生成于 {dispatch.today.isoformat()}。牵头单位每季度报送，配合单位可选报送。"
        f"本期已报送 {counts['submitted']} 项，逾期未报 {counts['overdue']} 项，报送中 {counts['open']} 项；"
        f"截至本期累计逾期未报 {len(dispatch.overdue)} 项。指标数值与指标监测页面同期数值一致。", small)]
    columns = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 13]
    for name, header, rows in dispatch.tables():
        if name == SHEETS[2]:
            story.append(PageBreak())
            header, rows = [header[i] for i in columns], [[row[i] for i in columns] for row in rows]
            col_widths = (42, 40, 24, 13, 20, 24, 20, 20, 17, 20, 37)
        else:
            col_widths = (10, 40, 32, 16, 24, 20, 16, 20, 99)
        story += [Spacer(1, 4 * mm), Paragraph(name, heading), Spacer(1, 2 * mm)]
        if not rows:
            story.append(Paragraph("无。", small))
            continue
        table = Table([[Paragraph(escape(text), small) for text in line] for line in [header, *rows]], repeatRows=1,
                      colWidths=[w * mm for w in col_widths])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    document.build(story)
    return buffer.getvalue()
