"""Checks for files that people hand to the platform: uploads on the web (deal documents, indicator evidence) and
files given to `techmarket import`. One home, so that every way in refuses the same hostile files.

An upload is at most 10 MB and only PDF, DOCX, XLSX, JPEG or PNG as the file's content shows (magic bytes and, for
the Office formats, the parts inside the zip), whatever its name says.

Office files (.docx, .xlsx, .pptx) are zip archives, and a small zip can inflate to gigabytes (a decompression
bomb). Before one is accepted, its directory is checked against the limits below, then every member is inflated
as a stream, never more than its declared size, and its CRC compared, and every XML part must be well-formed
without a DTD. So a corrupt file, a disguised one and a bomb are refused before any library opens it, and what is
accepted reads back as it says.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.parsers import expat

from techmarket.common.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_LABEL = "PDF、Word（DOCX）、Excel（XLSX）、JPEG 或 PNG"

# Limits for the zip inside an Office file.
MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per member and for the whole archive ...
RATIO_FLOOR_BYTES = 1024 * 1024  # ... once what would be inflated exceeds this (small parts compress freely)

_CHUNK = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


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
PPTX = FileType("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")

# The part that names each Office format, and the name of its root element.
_MAIN_PARTS = {DOCX: ("word/document.xml", "document"), XLSX: ("xl/workbook.xml", "workbook"),
               PPTX: ("ppt/presentation.xml", "presentation")}
_OFFICE_BY_EXTENSION = {t.extension: t for t in _MAIN_PARTS}


class UploadError(InvalidInput):
    """A file refused. str() is the message for the web (Chinese); `english` is the CLI's, a phrase to follow the
    file's name ("is not a valid .docx file (CRC mismatch)")."""

    def __init__(self, message: str, english: str):
        super().__init__(message)
        self.message = message
        self.english = english


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    type: FileType
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _unsupported() -> UploadError:
    return UploadError(f"不支持的文件类型：只能上传 {ALLOWED_LABEL} 文件（按文件内容识别，与扩展名无关）。",
                       "is not a supported file type")


def _corrupt(file_type: FileType, why: str) -> UploadError:
    why_zh = _WHY_ZH.get(why) or f"缺少 {why.split()[1]} 部分"
    return UploadError(f"文件已损坏，无法作为 {file_type.label} 文件打开（{why_zh}）。",
                       f"is not a valid {file_type.extension} file ({why})")


_WHY_ZH = {
    "not a zip archive": "不是完整的压缩包",
    "encrypted member": "含加密内容",
    "unsupported compression": "使用了不支持的压缩方式",
    "truncated member": "内容不完整",
    "member larger than declared": "解压后的大小与声明不符",
    "member size differs from its header": "解压后的大小与声明不符",
    "CRC mismatch": "校验和不符",
    "malformed XML": "XML 格式错误",
    "XML with a DTD": "XML 含有文档类型定义（DTD）",
    "wrong root element": "主体部分不是该格式的内容",
}


def _bomb(english: str, detail: str) -> UploadError:
    return UploadError(f"文件被拒绝：{detail}，可能是“压缩炸弹”。", f"is refused: {english}")


def office_type(names: set[str]) -> FileType | None:
    """The Office format a zip's member names show, or None."""
    if "[Content_Types].xml" not in names:
        return None
    return next((t for t, (part, _) in _MAIN_PARTS.items() if part in names), None)


def check_office_zip(source, expected: FileType | None = None) -> FileType:
    """Check an Office file (a path, bytes or a binary file object) and return its type.

    Raises UploadError when it is no readable zip, not the `expected` Office format (any Office format when
    None), over the limits, or corrupt."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            return check_office_zip(handle, expected)
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error):
        if expected is None:
            raise _unsupported() from None
        raise _corrupt(expected, "not a zip archive") from None
    found = office_type({info.filename for info in infos})
    if found is None or (expected is not None and found != expected):
        if expected is None:
            raise _unsupported()
        raise _corrupt(expected, f"no {_MAIN_PARTS[expected][0]} part")
    _check_limits(infos, source)
    for info in infos:
        _check_member(source, info, found)
    return found


def _check_limits(infos: list[zipfile.ZipInfo], handle) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _bomb(f"more than {MAX_MEMBERS:,} parts in the archive ({len(infos):,})",
                    f"压缩包内的文件超过 {MAX_MEMBERS:,} 个（{len(infos):,} 个）")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        limit_mb = MAX_UNCOMPRESSED_BYTES // 1024 // 1024
        raise _bomb(f"it would inflate to {total / 1024 / 1024:,.0f} MB, above the limit of {limit_mb} MB",
                    f"解压后将达 {total / 1024 / 1024:,.0f} MB，超过 {limit_mb} MB 的上限")
    handle.seek(0, io.SEEK_END)
    archive_size = max(handle.tell(), 1)
    ratios = [(total, archive_size), *((i.file_size, max(i.compress_size, 1)) for i in infos)]
    for inflated, packed in ratios:
        if inflated > RATIO_FLOOR_BYTES and inflated / packed > MAX_RATIO:
            raise _bomb(f"compression ratio {inflated / packed:,.0f} is above the limit of {MAX_RATIO}",
                        f"压缩比 {inflated / packed:,.0f} 超过 {MAX_RATIO} 的上限")


def _inflate(handle, info: zipfile.ZipInfo, file_type: FileType):
    """The bytes of one member, read from its local header on, inflated as a stream: never more than declared."""
    if info.flag_bits & 0x1:
        raise _corrupt(file_type, "encrypted member")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _corrupt(file_type, "unsupported compression")
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _corrupt(file_type, "not a zip archive")
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced, crc = 0, 0
    while remaining > 0 or (inflater is not None and not inflater.eof):
        raw = handle.read(min(_CHUNK, remaining)) if remaining > 0 else b""
        if not raw:
            raise _corrupt(file_type, "truncated member")
        remaining -= len(raw)
        pending = raw
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                try:
                    out = inflater.decompress(pending, _CHUNK)
                except zlib.error:
                    raise _corrupt(file_type, "truncated member") from None
                pending = inflater.unconsumed_tail
                if inflater.eof:
                    pending = b""
            produced += len(out)
            if produced > info.file_size:
                raise _corrupt(file_type, "member larger than declared")
            crc = zlib.crc32(out, crc)
            if out:
                yield out
        if inflater is not None and inflater.eof:
            break
    if produced != info.file_size:
        raise _corrupt(file_type, "member size differs from its header")
    if crc != info.CRC:
        raise _corrupt(file_type, "CRC mismatch")


def _check_member(handle, info: zipfile.ZipInfo, found: FileType) -> None:
    chunks = _inflate(handle, info, found)
    name = info.filename
    if not name.endswith((".xml", ".rels")):
        for _ in chunks:
            pass
        return
    # expat in C, with no handler per element: fast, and no tree is built.
    parser = expat.ParserCreate(namespace_separator=" ")
    main_part, root_name = _MAIN_PARTS[found]
    roots: list[str] = []

    def doctype(*_):
        raise _corrupt(found, "XML with a DTD")

    def first_element(tag, _attributes):
        roots.append(tag.rpartition(" ")[2])
        parser.StartElementHandler = None

    parser.StartDoctypeDeclHandler = doctype
    if name == main_part:
        parser.StartElementHandler = first_element
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _corrupt(found, "malformed XML") from None
    if name == main_part and roots != [root_name]:
        raise _corrupt(found, "wrong root element")


def detect_type(data: bytes) -> FileType | None:
    """The type the content shows, or None. Office files are zips: the part that names the format must be there.
    (Only a sniff: check_upload also checks an Office file whole.)"""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                found = office_type(set(archive.namelist()))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
            return None
        if found in (DOCX, XLSX):
            return found
    return None


def clean_name(name: str) -> str:
    """The uploaded file's base name, without directories or control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base[-200:] or "附件"


def check_upload(uploaded) -> CheckedFile:
    """Read and check an uploaded file (a Django UploadedFile or any object with .name, .size and .read()).
    Raises UploadError with a message for the user."""
    if uploaded is None:
        raise UploadError("请选择要上传的文件。", "no file")
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise UploadError(f"文件过大：上限为 10 MB，所选文件为 {size / 1024 / 1024:.1f} MB。", "larger than 10 MB")
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadError("文件过大：上限为 10 MB。", "larger than 10 MB")
    if not data:
        raise UploadError("文件为空。", "empty")
    file_type = detect_type(data)
    if file_type is None:
        raise _unsupported()
    if file_type in _MAIN_PARTS:
        check_office_zip(data, file_type)
    return CheckedFile(clean_name(getattr(uploaded, "name", "") or ""), data, file_type,
                       hashlib.sha256(data).hexdigest())


def check_office_path(path: Path) -> FileType:
    """Check a file given on the command line whose extension names an Office format (.docx, .xlsx, .pptx).
    Raises UploadError; its `english` follows the file's name."""
    return check_office_zip(path, _OFFICE_BY_EXTENSION[path.suffix.lower()])
