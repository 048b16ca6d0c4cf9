"""The check-up report as a PDF (the same figures as the page)."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techmarket.common.pdf import cjk_font
from techmarket.enterprises.services.checkups import Comparison, Report, candidates


def report_pdf(item: Report) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    checkup = item.checkup
    buffer = io.BytesIO()
    name = f"{checkup.organisation.name}科技体检报告"
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm, title=name)
    rows = [[Paragraph(t, body) for t in ("指标", "本企业", "对比企业中位数", "比较")]]
    for c in item.comparisons:
        rows.append([Paragraph(c.label, body), Paragraph(Comparison.text(c.value, c.percent), body),
                     Paragraph(Comparison.text(c.peer_median, c.percent), body), Paragraph(c.position, body)])
    table = Table(rows, colWidths=[70 * mm, 32 * mm, 40 * mm, 28 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef"))]))
    peers = f"对比对象：{item.peers}。" if item.peers else "参加科技体检的企业不足五家，暂不作对比。"
    story = [Paragraph(name, title), Spacer(1, 4 * mm),
             Paragraph(f"体检日期 {checkup.completed_at:%Y-%m-%d}；所属领域：{item.field_name}。{peers}", body),
             Spacer(1, 3 * mm), table, Spacer(1, 5 * mm), Paragraph("技术瓶颈与可发布的技术需求", body)]
    for candidate in candidates(checkup):
        state = f"（已发布，编号 {candidate.listing.number}）" if candidate.listing else ""
        story += [Spacer(1, 2 * mm), Paragraph(f"{candidate.index + 1}. {candidate.title}{state}", body),
                  Paragraph(f"建议领域：{candidate.field_name}；合作方式：{'、'.join(candidate.modes)}", body)]
    document.build(story)
    return buffer.getvalue()
