"""Hostile files made in the test, small on disk: decompression bombs, forged zip headers, corrupt and empty
Office files. A zip is written by hand here so that a member can be 1 GiB of zeros (about 1 MB deflated, built
from one repeated block in well under a second) or can declare sizes it does not have."""

import io
import struct
import zipfile
import zlib

import docx
from openpyxl import Workbook

MIB = 1024 * 1024


def zeros_deflated(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes (a whole number of MiB) and its CRC-32."""
    assert size % MIB == 0
    block_maker = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = block_maker.compress(bytes(MIB)) + block_maker.flush(zlib.Z_FULL_FLUSH)  # self-contained, byte-aligned
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty final block
    crc, zeros = 0, bytes(MIB)
    for _ in range(size // MIB):
        crc = zlib.crc32(zeros, crc)
    return block * (size // MIB) + end, crc


def deflated(data: bytes) -> bytes:
    maker = zlib.compressobj(6, zlib.DEFLATED, -15)
    return maker.compress(data) + maker.flush()


def build_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate stream, declared uncompressed size, CRC-32) members."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, raw, size, crc in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0))
        out.write(encoded)
        out.write(raw)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                                  len(encoded), 0, 0, 0, 0, 0, offset))
        central.write(encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def office_members(data: bytes) -> list[tuple[str, bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, deflated(archive.read(i)), i.file_size, i.CRC) for i in archive.infolist()]


def docx_bytes(text: str = "技术转让合同") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def bomb(office: bytes, inflated: int = 1024 * MIB, name: str = "word/media/image1.png") -> bytes:
    """A real Office file plus one member of `inflated` zero bytes (1 GiB by default: about 1 MB on disk)."""
    raw, crc = zeros_deflated(inflated)
    return build_zip([*office_members(office), (name, raw, inflated, crc)])


def lying_bomb(office: bytes) -> bytes:
    """A member that declares 1 KiB but inflates to 64 MiB: only a check that inflates it can tell."""
    raw, _ = zeros_deflated(64 * MIB)
    return build_zip([*office_members(office), ("word/media/image1.png", raw, 1024, zlib.crc32(bytes(1024)))])


def many_members(office: bytes, count: int = 10_001) -> bytes:
    empty = deflated(b"")
    return build_zip([*office_members(office), *((f"customXml/item{i}.bin", empty, 0, 0) for i in range(count))])


def replace_member(office: bytes, name: str, data: bytes) -> bytes:
    return build_zip([(n, deflated(data), len(data), zlib.crc32(data)) if n == name else (n, raw, size, crc)
                      for n, raw, size, crc in office_members(office)])


def workbook_without_sheets() -> bytes:
    """An .xlsx whose workbook lists no sheet (openpyxl itself refuses to save one)."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    start, end = workbook.index("<sheets"), workbook.index("</sheets>") + len("</sheets>")
    return replace_member(xlsx_bytes(), "xl/workbook.xml", (workbook[:start] + workbook[end:]).encode())
