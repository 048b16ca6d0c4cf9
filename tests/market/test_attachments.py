"""Uploads are checked by content (magic bytes, the parts of an Office zip), not by name, and limited to 10 MB."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.market.services.attachments import MAX_BYTES, check_upload, clean_name
from techmarket.market.services.errors import MarketError
from tests.market.conftest import docx_bytes, xlsx_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


@pytest.mark.parametrize("name, data, label", [
    ("合同.pdf", b"%PDF-1.7\n...", "PDF"),
    ("scan.png", PNG, "PNG"),
    ("photo.jpg", JPEG, "JPEG"),
    ("合同.docx", docx_bytes(), "DOCX"),
    ("清单.xlsx", xlsx_bytes(), "XLSX"),
    ("named-wrong.txt", b"%PDF-1.4\n", "PDF"),
])
def test_allowed_types_by_content(name, data, label):
    checked = check_upload(SimpleUploadedFile(name, data))
    assert checked.type.label == label
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("name, data", [
    ("合同.pdf", b"MZ\x90\x00 an executable"),
    ("合同.docx", b"PK\x03\x04 not really a zip"),
    ("archive.docx", None),
    ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ("image.png", b"GIF89a..."),
])
def test_other_content_is_refused_whatever_the_name(name, data):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "a zip that is no Office document")
        data = buffer.getvalue()
    refused = "不支持的文件类型：只能上传 PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG 文件"
    with pytest.raises(MarketError, match=refused):
        check_upload(SimpleUploadedFile(name, data))


def test_size_limit():
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_BYTES)
    with pytest.raises(MarketError, match="文件过大：上限为 10 MB"):
        check_upload(big)
    assert check_upload(SimpleUploadedFile("ok.pdf", b"%PDF-1.4\n" + b"0" * (MAX_BYTES - 9))).size == MAX_BYTES


def test_empty_file():
    with pytest.raises(MarketError, match="文件为空"):
        check_upload(SimpleUploadedFile("empty.pdf", b""))


def test_names_are_cleaned():
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\a\\合同.pdf") == "合同.pdf"
    assert clean_name("") == "附件"


def test_stored_under_media_market_by_digest(make_contract, seller, seller_org, buyer_org, media_root):
    contract = make_contract(seller, seller_org, buyer_org, text="stored text")
    attachment = contract.attachments.get()
    assert attachment.file.name.startswith(f"market/{attachment.sha256[:2]}/{attachment.sha256}.pdf")
    assert (media_root / attachment.file.name).read_bytes().startswith(b"%PDF")
    assert attachment.name == "contract.pdf" and attachment.content_type == "application/pdf"
