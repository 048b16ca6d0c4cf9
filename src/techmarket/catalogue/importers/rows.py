"""The row model every source layout is read into, and the section vocabulary they share."""

import re
from dataclasses import dataclass, field

from techmarket.catalogue.services.reference_data import sections_data

COLUMNS = ("序号", "项目名称", "项目主要内容", "实施单位", "合作方式", "联系方式")
COLUMN_KEYS = ("number", "title", "description", "organisations", "modes", "contacts")

# "1、 平台建设类（20项）", "3、 人才交流、引进（9项）"
SECTION_HEADING = re.compile(
    r"^\s*(?:[（(]?[0-9一二三四五六七八九十]+[)）、.．]\s*)?(?P<title>[^（(]+?)\s*[（(](?P<count>\d+)项[)）]\s*$"
)


@dataclass
class Section:
    key: str
    title: str
    kind: str  # platform, talent, by-mode, or "" for a group of sections
    declared_count: int | None = None
    parent: str = ""


@dataclass
class ImportRow:
    section: Section
    position: int  # 1-based within the section, in file order
    printed_number: str
    title: str
    description: str
    organisations: str
    modes: str
    contacts: str
    location: str  # where the row is in its file, for messages: "line 441", "sheet 平台建设类, row 5"
    kind_hint: str = ""  # demand/offer when the table's title header says so (需求名称, 成果名称)
    extras: dict = field(default_factory=dict)  # other recognised columns: budget, location, field (text)
    source_key: str = ""  # a stable key given by the source (a partner feed's reference), else section/position

    @property
    def reference(self) -> str:
        return self.source_key or f"{self.section.key}/{self.position}"


@dataclass
class RowProblem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class ParsedFile:
    file_format: str
    title: str
    rows: list[ImportRow] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the header cells read, as written, each once
    unknown_headers: list[str] = field(default_factory=list)  # header cells no column was found for


@dataclass
class ParseOptions:
    """How a file is read. `mapping`: folded header word → column key or "ignore" (importers.headers);
    `free_sections`: a sheet name or heading that is no known section becomes a section of its own (for
    compilations imported under a collection key) instead of being refused."""

    mapping: dict[str, str] = field(default_factory=dict)
    free_sections: bool = False


def check_office_file(path) -> None:
    """Refuse a Word or Excel file that is not one (or is a decompression bomb) before a library opens it: the
    one-line English message of common.uploads, as an ImportFormatError."""
    from techmarket.common.uploads import UploadError, check_office_path

    try:
        check_office_path(path)
    except UploadError as exc:
        raise ImportFormatError(f"{path.name} {exc.english}") from None
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None


class ImportFormatError(Exception):
    """The file cannot be read as any supported layout at all."""


def section_for_title(raw_title: str, declared_count: int | None = None) -> Section | None:
    """The known section a heading or sheet name names, or None."""
    title = re.sub(r"\s+", "", raw_title)
    match = SECTION_HEADING.match(title)
    if match:
        title, declared_count = match["title"], int(match["count"])
    for item in sections_data():
        if any(t == title or t in title for t in item["titles"]):
            return Section(
                key=item["key"], title=item["titles"][0], kind="" if item.get("group") else item["kind"],
                declared_count=declared_count, parent=item.get("parent", ""),
            )
    return None


def check_row(row: ImportRow, problems: list[RowProblem]) -> bool:
    """Record what makes a row unusable; True when it can be imported."""
    ok = True
    for key, label in (("title", "项目名称"), ("description", "项目主要内容"), ("organisations", "实施单位")):
        if not getattr(row, key).strip():
            problems.append(RowProblem(row.location, f"column {label} is empty"))
            ok = False
    if len(row.title) > 300:
        problems.append(RowProblem(row.location, "column 项目名称 is longer than 300 characters"))
        ok = False
    return ok


def clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "\n".join(line.strip() for line in str(value).strip().splitlines()).strip()
