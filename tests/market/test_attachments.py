"""Uploads are checked by content (magic bytes, the parts of an Office zip), not by name, and limited to 10 MB;
Office files that are corrupt or decompression bombs are refused with a message."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from techmarket.market.services.attachments import MAX_BYTES, check_upload, clean_name
from techmarket.market.services.errors import MarketError
from tests.common import hostile_files as hostile
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


# Hostile Office files through the pages: a deal document (inquiry and contract) and an indicator's evidence.

@pytest.fixture
def inquiry(client, buyer):
    from techmarket.market.models import Inquiry

    client.force_login(buyer)
    client.post("/market/inquire/innovation/hightech/1/", {"message": "有意受让。"}, follow=True)  # shows its message
    return Inquiry.objects.get()


HOSTILE = [
    ("bomb.docx", lambda: hostile.bomb(hostile.docx_bytes()), "文件被拒绝：解压后将达 1,025 MB，超过 200 MB 的上限"),
    ("ratio.xlsx", lambda: hostile.bomb(hostile.xlsx_bytes(), 150 * hostile.MIB, "xl/media/image1.png"),
     "压缩比 .* 超过 100 的上限"),
    ("lying.docx", lambda: hostile.lying_bomb(hostile.docx_bytes()),
     "文件已损坏，无法作为 DOCX 文件打开（解压后的大小与声明不符）"),
    ("parts.docx", lambda: hostile.many_members(hostile.docx_bytes()), "压缩包内的文件超过 10,000 个"),
    ("garbled.docx", lambda: hostile.replace_member(hostile.docx_bytes(), "word/document.xml", b"\x00\x01garbage"),
     "文件已损坏，无法作为 DOCX 文件打开（XML 格式错误）"),
    ("crc.xlsx", lambda: hostile.build_zip([(n, raw, size, crc ^ 1) for n, raw, size, crc
                                            in hostile.office_members(hostile.xlsx_bytes())]), "校验和不符"),
    ("random.docx", lambda: b"PK\x03\x04" + bytes(range(256)) * 40, "不支持的文件类型"),
]


@pytest.mark.parametrize("name, make, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_office_file_is_refused_as_a_deal_document(client, inquiry, name, make, message):
    response = client.post(f"/market/inquiries/{inquiry.pk}/upload/",
                           {"file": SimpleUploadedFile(name, make())}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and re.search(message, shown[0]), shown
    assert not inquiry.attachments.exists()


def test_a_good_office_file_is_still_accepted(client, inquiry):
    response = client.post(f"/market/inquiries/{inquiry.pk}/upload/",
                           {"file": SimpleUploadedFile("清单.xlsx", hostile.xlsx_bytes())}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["资料已上传。"]
    assert inquiry.attachments.get().extension == ".xlsx"


def test_a_bomb_is_refused_as_contract_text(client, make_contract, seller, seller_org, buyer_org):
    contract = make_contract(seller, seller_org, buyer_org)
    client.force_login(seller)
    before = contract.attachments.count()
    response = client.post(f"/market/contracts/{contract.pk}/upload/",
                           {"file": SimpleUploadedFile("合同.docx", hostile.bomb(hostile.docx_bytes())),
                            "kind": "contract-text"}, follow=True)
    assert "可能是“压缩炸弹”" in response.content.decode()
    assert contract.attachments.count() == before


def test_a_bomb_is_refused_as_indicator_evidence(client, make_user):
    from django.utils import timezone

    from techmarket.indicators.models import Indicator, IndicatorValue
    from techmarket.indicators.services.periods import current

    client.force_login(make_user("entering-reviewer", reviewer=True))
    response = client.post("/indicators/values/new/", {
        "indicator": Indicator.objects.get(code="a2027-teams").pk, "period": current(timezone.localdate()).key,
        "value": "3", "evidence": SimpleUploadedFile("佐证.docx", hostile.bomb(hostile.docx_bytes()))})
    assert response.status_code == 200
    assert "文件被拒绝：解压后将达 1,025 MB" in response.content.decode()
    assert not IndicatorValue.objects.exists()
