"""The registration certificate (技术合同认定登记证明) as a PDF in Chinese, its font embedded (common.pdf)."""

from __future__ import annotations

import hashlib
import io
import logging
from decimal import Decimal

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from techmarket.common.pdf import cjk_font
from techmarket.market.models import Location, Registration
from techmarket.market.services.errors import MarketError
from techmarket.market.services.registration import has_certificate
from techmarket.market.services.rules import rules

LOCATIONS = dict(Location.choices)
logger = logging.getLogger(__name__)


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def verification_code(registration: Registration) -> str:
    """A short digest of what the certificate states, to compare a printed certificate with the register."""
    text = "|".join([registration.number or "", str(registration.registered_on), str(registration.technology_amount),
                     str(registration.contract.total_amount), registration.contract.title])
    return hashlib.sha256(text.encode()).hexdigest()[:16].upper()


def certificate_pdf(registration: Registration, generated_at=None) -> bytes:
    """The certificate as a PDF; `generated_at` (default: now) is the moment printed on it."""
    if not has_certificate(registration):
        raise MarketError("只有已登记（含变更登记）的合同可以出具登记证明。")
    font = cjk_font()
    contract = registration.contract
    r = rules()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4 * mm)
    subtitle = ParagraphStyle("subtitle", fontName=font, fontSize=11, leading=16, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    signature = ParagraphStyle("signature", parent=body, alignment=TA_RIGHT)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12, textColor=colors.grey)

    def p(text, style=body):
        return Paragraph(text, style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title="技术合同认定登记证明", subject=registration.number,
                            author=registration.registry.name, creator="青海科技开放合作平台",
                            keywords=["technology contract registration", registration.number])
    status_note = "（已办理变更登记）" if registration.status == Registration.Status.CHANGED else ""
    facts = [
        ["登记号", registration.number],
        ["登记机构", registration.registry.name],
        ["登记日期", registration.registered_on.strftime("%Y年%m月%d日")],
        ["合同名称", contract.title],
        ["合同类型", r.type_name(contract.contract_type)],
        ["签订日期", contract.signed_on.strftime("%Y年%m月%d日")],
        ["合同总额", yuan(contract.total_amount)],
        ["认定技术交易额", yuan(registration.technology_amount)],
        ["成交方式", "通过青海科技开放合作平台成交" if contract.made_on_platform else "线下成交，在平台登记"],
    ]
    fact_table = Table([[p(k), p(str(v))] for k, v in facts], colWidths=[38 * mm, 132 * mm])
    parties = [[p("当事人"), p("合同角色"), p("所在地")]]
    for party in contract.parties.select_related("organisation"):
        role = r.role_name(contract.contract_type, party.role) + ("（登记方）" if party.is_registering_party else "")
        parties.append([p(party.organisation.name), p(role), p(LOCATIONS.get(party.location, ""))])
    party_table = Table(parties, colWidths=[92 * mm, 48 * mm, 30 * mm], repeatRows=1)
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])
    fact_table.setStyle(TableStyle([*grid.getCommands(), ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]))
    party_table.setStyle(TableStyle([*grid.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    source = r.procedure["certificate"]
    story = [
        p("技术合同认定登记证明", title),
        p(f"登记号：{registration.number}{status_note}", subtitle),
        Spacer(1, 6 * mm),
        p(f"经审查，下列技术合同符合《技术合同认定登记管理办法》及《{source.document}》的规定，准予认定登记。"),
        Spacer(1, 4 * mm),
        fact_table,
        Spacer(1, 5 * mm),
        party_table,
        Spacer(1, 8 * mm),
        p(f"{registration.registry.name}", signature),
        p(f"{registration.registered_on.strftime('%Y年%m月%d日')}", signature),
        Spacer(1, 10 * mm),
        p(f"依据：{source}：“{source.excerpt}”", small),
        p(f"核验码：{verification_code(registration)}　生成时间：{timezone.localtime(generated_at):%Y-%m-%d %H:%M}　"
          "本证明由青海科技开放合作平台根据登记机构的登记记录生成，内容以登记记录为准。", small),
    ]
    doc.build(story)
    return buffer.getvalue()


def certificate_filename(registration: Registration) -> str:
    return f"technology-contract-{registration.number}.pdf"

