"""The certificate: a PDF in Chinese with the contract's data and the registration number."""

import shutil
import subprocess

import pytest

from techmarket.market.services import registration as reg
from techmarket.market.services.certificates import certificate_pdf
from techmarket.market.services.errors import MarketError


@pytest.fixture
def registered(make_contract, seller, seller_org, buyer_org, registry, xining_registrar):
    contract = make_contract(seller, seller_org, buyer_org)
    return reg.register(xining_registrar, reg.accept(xining_registrar, reg.submit(seller, contract,
                                                                                   registry("xining"))))


def test_pdf_with_the_number(registered):
    pdf = certificate_pdf(registered)
    assert pdf.startswith(b"%PDF")
    assert registered.number.encode() in pdf
    assert b"/FontFile2" in pdf and b"UMingCN" in pdf  # the font is embedded, as a subset


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_in_chinese(registered, tmp_path):
    """The text is extractable with no CJK font or CMap on the reader's side (no poppler-data needed)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(registered))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for expected in ("技术合同认定登记证明", registered.number, "盐湖提锂吸附剂技术转让", "技术转让合同",
                     "西宁高原新材料科技有限公司", "让与方", "格尔木盐湖化工有限公司", "西宁市技术合同登记机构",
                     "1,000,000.00", "800,000.00"):
        assert expected in text


def test_no_certificate_before_registration(make_contract, seller, seller_org, buyer_org, registry):
    registration = reg.submit(seller, make_contract(seller, seller_org, buyer_org), registry("xining"))
    with pytest.raises(MarketError, match="只有已登记"):
        certificate_pdf(registration)


def test_no_certificate_after_cancellation(registered, xining_registrar):
    cancelled = reg.cancel(xining_registrar, registered, "void", "宣布无效。")
    with pytest.raises(MarketError):
        certificate_pdf(cancelled)
