"""`techmarket import` given hostile files (random bytes, truncated or corrupt zips, decompression bombs, a
workbook with no sheets or no rows, a missing file, an unknown type): one line in English, a non-zero exit, and
the catalogue unchanged."""

import io
import os
import re
import subprocess
import sys
import zipfile

import pytest
from django.core.management import CommandError, call_command

from techmarket.catalogue.models import Listing
from tests.catalogue.test_import_files import ROWS, make_document, make_workbook
from tests.common import hostile_files as hostile

pytestmark = pytest.mark.django_db


def run_cli(path, tmp_path) -> subprocess.CompletedProcess:
    """The installed command in its own process; it must refuse before touching any database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.sqlite3'}", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "techmarket", "import", "--quiet", str(path)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def assert_one_line_refusal(result, expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Imported" not in result.stdout


def test_random_bytes_docx_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "random.docx"
    path.write_bytes(os.urandom(5000))
    assert_one_line_refusal(run_cli(path, tmp_path), "random.docx is not a valid .docx file")


def test_a_1_mb_docx_that_inflates_to_1_gib_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(hostile.bomb(hostile.docx_bytes()))
    assert path.stat().st_size < 2 * hostile.MIB
    assert_one_line_refusal(run_cli(path, tmp_path), "bomb.docx is refused: it would inflate to 1,025 MB")


def test_a_workbook_without_sheets_is_an_error_not_zero_listings(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(hostile.workbook_without_sheets())
    assert_one_line_refusal(run_cli(path, tmp_path), "empty.xlsx has no sheets")


def refused(path, match: str) -> None:
    before = Listing.objects.count()
    with pytest.raises(CommandError, match=match) as caught:
        call_command("import_listings", "--quiet", str(path))
    assert "\n" not in str(caught.value)
    assert Listing.objects.count() == before


@pytest.mark.parametrize("name, make, match", [
    ("random.xlsx", lambda: os.urandom(5000), "random.xlsx is not a valid .xlsx file"),
    ("truncated.docx", lambda: hostile.docx_bytes()[:3000], r"truncated.docx is not a valid .docx file \(not a zip"),
    ("truncated.xlsx", lambda: hostile.xlsx_bytes()[:-200], "truncated.xlsx is not a valid .xlsx file"),
    ("lying.docx", lambda: hostile.lying_bomb(hostile.docx_bytes()), r"member larger than declared"),
    ("ratio.docx", lambda: hostile.bomb(hostile.docx_bytes(), 150 * hostile.MIB), "compression ratio .* above"),
    ("parts.xlsx", lambda: hostile.many_members(hostile.xlsx_bytes()), "more than 10,000 parts"),
    ("garbled.docx", lambda: hostile.replace_member(hostile.docx_bytes(), "word/document.xml", b"<w:document"),
     r"garbled.docx is not a valid .docx file \(malformed XML\)"),
    ("entities.docx", lambda: hostile.replace_member(
        hostile.docx_bytes(), "word/document.xml",
        b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'),
     r"\(XML with a DTD\)"),
    ("sheet.docx", hostile.xlsx_bytes, r"sheet.docx is not a valid .docx file \(no word/document.xml part\)"),
    ("empty.docx", lambda: b"", "empty.docx is not a valid .docx file"),
])
def test_hostile_office_files_are_refused_in_one_line(tmp_path, name, make, match):
    path = tmp_path / name
    path.write_bytes(make())
    refused(path, match)


def test_a_workbook_whose_sheets_have_no_rows_is_an_error(tmp_path):
    path = make_workbook(tmp_path / "headers-only.xlsx", {"平台建设类": []})
    refused(path, "headers-only.xlsx has no rows to import")


def test_a_document_without_tables_is_an_error(tmp_path):
    path = make_document(tmp_path / "no-tables.docx", {})
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_listings", "--quiet", str(path))


def test_missing_file_and_unknown_type(tmp_path):
    refused(tmp_path / "absent.xlsx", "absent.xlsx: no such file")
    (tmp_path / "listings.pdf").write_bytes(b"%PDF-1.4")
    refused(tmp_path / "listings.pdf", "unsupported file type .pdf")
    (tmp_path / "folder.docx").mkdir()
    refused(tmp_path / "folder.docx", "no such file")


def test_a_forged_sheet_dimension_does_not_blow_up_the_rows(tmp_path, capsys):
    """<dimension ref="A1:XFD1048576"/> would make openpyxl pad every row to 16,384 cells and 1,048,576 rows."""
    good = make_workbook(tmp_path / "good.xlsx", {"平台建设类": ROWS}).read_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml").decode()
    forged = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    path = tmp_path / "forged.xlsx"
    path.write_bytes(hostile.replace_member(good, "xl/worksheets/sheet1.xml", forged.encode()))
    call_command("import_listings", "--quiet", "--collection", "forged", str(path))
    assert "Imported 2 listings" in capsys.readouterr().out
    assert Listing.objects.filter(reference__startswith="forged/").count() == 2
