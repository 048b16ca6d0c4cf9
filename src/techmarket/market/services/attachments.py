"""Uploads: at most 10 MB, and only PDF, DOCX, XLSX, JPEG or PNG as the file's content shows (magic bytes and,
for the Office formats, the parts inside the zip), whatever its name says."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from techmarket.market.services.errors import MarketError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_LABEL = "PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG"


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", ".pdf")
PNG = FileType("PNG", "image/png", ".png")
JPEG = FileType("JPEG", "image/jpeg", ".jpg")
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    type: FileType
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def detect_type(data: bytes) -> FileType | None:
    """The type the content shows, or None. Office files are zips: the part that names the format must be there."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    return None


def clean_name(name: str) -> str:
    """The uploaded file's base name, without directories or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base[-200:] or "附件"


def check_upload(uploaded) -> CheckedFile:
    """Read and check an uploaded file (a Django UploadedFile or any object with .name, .size and .read())."""
    if uploaded is None:
        raise MarketError("请选择要上传的文件。")
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise MarketError(f"文件过大：上限为 10 MB，所选文件为 {size / 1024 / 1024:.1f} MB。")
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise MarketError("文件过大：上限为 10 MB。")
    if not data:
        raise MarketError("文件为空。")
    file_type = detect_type(data)
    if file_type is None:
        raise MarketError(f"不支持的文件类型：只能上传 {ALLOWED_LABEL} 文件（按文件内容识别，与扩展名无关）。")
    return CheckedFile(clean_name(getattr(uploaded, "name", "") or ""), data, file_type,
                       hashlib.sha256(data).hexdigest())
