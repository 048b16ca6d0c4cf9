"""`techmarket import` from the command line."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from techmarket.catalogue.models import Listing
from tests.seed_counts import BY_SECTION, LISTINGS, TALENT

pytestmark = pytest.mark.django_db


def test_reimporting_the_seed_reports_sections_against_declared_counts(capsys):
    call_command("import_listings", "--quiet")
    out = capsys.readouterr().out
    assert f"Imported {LISTINGS} listings" in out
    hightech = BY_SECTION["innovation/hightech"]
    assert "innovation/hightech" in out and f"{hightech} imported, declared {hightech}" in out
    assert f"listings: unchanged {LISTINGS}" in out
    assert Listing.objects.count() == LISTINGS


def test_json_report(capsys):
    call_command("import_listings", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["total"] == LISTINGS
    assert {s["key"]: s["imported"] for s in report["sections"]}["talent"] == TALENT


def test_broken_file_lists_problems_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("1、 平台建设类（1项）\n\t1\n\t标题\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_listings", str(path))
    assert "line 2: item 1 of 平台建设类 has 2 cells, expected 6" in capsys.readouterr().err
    assert Listing.objects.count() == LISTINGS


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_listings", "/nonexistent/compilation.txt")


def test_entry_point_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "techmarket", "help", "import_listings"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "--collection" in result.stdout
