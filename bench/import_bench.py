"""Import speed: `techmarket import` of a 20,000-row workbook in the template of docs/import-formats.md.

    .venv/bin/python bench/import_bench.py [--rows 20000] [--json]

The workbook (var/bench/import-<rows>-v<version>.xlsx, kept between runs) is generated from the seed
compilation's items: titles from a place, a seed title's core and a suffix; descriptions from sentences of
one to three seed items; units taken from the seed's cells or made up (a pool of new companies, so the
import creates organisations and meets them again); cooperation modes as the seed writes them; contacts
from a pool of made-up people with phones and e-mails (so people are both created and matched). Rows are
spread over the five section sheets in the seed's proportions.

The database is new on every run (var/bench/import/, migrated, then the seed imported). Printed: rows/s of
reading the file, the planning time (outside any transaction), the write transaction's duration (other
writers wait this long at most; SQLite's busy timeout is 20 s) and rows/s overall; then the same for a
re-import of the unchanged file. Embeddings are not computed (TECHMARKET_JOBS=none): they follow as jobs.
"""

import argparse
import json
import os
import random
import re
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_DIR / "var" / "bench"
GENERATOR_VERSION = 1
TARGET_ROWS_PER_S = 500
BUSY_TIMEOUT_S = 20
COLUMNS = ("序号", "项目名称", "项目主要内容", "实施单位", "合作方式", "联系方式")
SHEETS = {"platform": "平台建设类", "innovation/hightech": "高新技术领域", "innovation/agriculture": "农业农村领域",
          "innovation/social": "社会发展领域", "talent": "人才交流、引进"}
PLACES = ["", "", "", "青海", "西宁", "海东", "海西州", "海南州", "海北州", "黄南州", "玉树州", "果洛州",
          "柴达木", "格尔木", "德令哈", "三江源", "环青海湖", "高原", "青藏高原"]
SUFFIXES = ["", "", "关键技术研究", "技术集成与示范", "研究与示范", "产业化示范", "推广应用", "技术研发",
            "工程示范", "技术引进与转化", "标准化生产示范", "平台建设"]
COMPANY_WORDS = ["昆仑", "雪域", "三江", "柴达木", "青湖", "祁连", "江河", "高原", "日月山", "湟水", "河湟", "金银滩"]
COMPANY_TRADES = ["新能源", "生物科技", "盐湖化工", "农牧科技", "药业", "新材料", "信息技术", "生态环境", "食品",
                  "装备制造"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢韩唐冯"
GIVEN = "建国明华丽娟强军平海霞红英杰峰磊静敏燕涛超勇艳斌洁鹏晨宇"


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;！？])|\n", text)
    return [p.strip() for p in parts if len(p.strip()) >= 6]


def _title_core(title: str) -> str:
    core = re.sub(r"(关键技术)?(研究|研发|开发)?(与|及)?(示范|推广|应用|产业化|集成)*$", "", title)
    core = re.sub(r"^(青海省?|柴达木|高原|青藏高原|基于)", "", core)
    return core if len(core) >= 4 else title


def seed_items() -> list:
    """The seed compilation's items (ImportRow); needs Django set up."""
    from django.conf import settings

    from techmarket.catalogue.importers.compilation_text import parse_compilation_text

    return parse_compilation_text(Path(settings.TECHMARKET_SEED_FILE)).rows


def generate_rows(items: list, n: int, seed: int = 1) -> dict[str, list[list[str]]]:
    """n synthetic rows recombined from the seed items, by sheet title (deterministic for n and seed)."""
    rng = random.Random(seed * 1_000_003 + n)
    companies = [f"青海{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司" for _ in range(max(n // 20, 5))]
    companies = list(dict.fromkeys(companies))
    people = []
    for k in range(max(n // 4, 10)):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        phone = f"139{k:08d}"
        people.append((name, phone, f"contact{k}@example.cn" if k % 3 == 0 else ""))
    sentences = [_sentences(item.description) or [item.description] for item in items]
    by_sheet: dict[str, list[list[str]]] = {title: [] for title in SHEETS.values()}
    for _ in range(n):
        primary = rng.randrange(len(items))
        item = items[primary]
        key = item.section.key if item.section.key in SHEETS else "innovation/hightech"
        core, suffix = _title_core(item.title), rng.choice(SUFFIXES)
        title = f"{rng.choice(PLACES)}{core}{suffix}"[:300]
        parts = rng.sample(sentences[primary], min(len(sentences[primary]), rng.randint(1, 4)))
        for other in rng.sample(range(len(items)), rng.choice((0, 1, 2))):
            parts += rng.sample(sentences[other], min(len(sentences[other]), rng.randint(1, 2)))
        description = "".join(p if p[-1] in "。；;" else p + "。" for p in parts)
        units = [item.organisations.replace("\n", "")] if rng.random() < 0.7 else []
        units += rng.sample(companies, rng.choice((0, 1, 1, 2))) if units else [rng.choice(companies)]
        contacts = []
        for name, phone, email in rng.sample(people, rng.choice((1, 1, 2))):
            contacts.append(" ".join(x for x in (name, phone, email) if x))
        sheet = by_sheet[SHEETS[key]]
        sheet.append([str(len(sheet) + 1), title, description, "、".join(units), item.modes, "\n".join(contacts)])
    return {title: rows for title, rows in by_sheet.items() if rows}


def write_workbook(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    """A workbook in the template: a sheet per section named with its count, a title row, the header row."""
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(f"{title}（{len(rows)}项）")
        sheet.append(["青海省科技合作需求汇编（基准测试）"])
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append(row)
    partial = path.with_suffix(".partial.xlsx")
    workbook.save(partial)
    partial.replace(path)
    return path


def make_workbook(path: Path, n: int, seed: int = 1) -> Path:
    """Generate the n-row workbook at path (Django must be set up, to read the seed)."""
    return write_workbook(path, generate_rows(seed_items(), n, seed))


def _timed_import(path: Path):
    """Import, returning the report and the process's CPU seconds (the machine may be shared: wall time then
    includes waiting for a core, CPU time does not)."""
    import time

    from techmarket.catalogue.importers.loader import import_file

    cpu = time.process_time()
    report = import_file(path, collection="bench")
    return report, time.process_time() - cpu


def _figures(label: str, rows: int, timed) -> dict:
    report, cpu = timed
    t = report.timings
    return {"run": label, "rows": rows, "listings": dict(report.listings),
            "cpu_s": round(cpu, 1), "cpu_rows_per_s": round(rows / cpu),
            "parse_s": round(t["parse_s"], 2), "parse_rows_per_s": round(rows / t["parse_s"]),
            "plan_s": round(t["plan_s"], 2), "write_transaction_s": round(t["write_s"], 2),
            "write_transaction_cpu_s": round(t["write_cpu_s"], 2),
            "total_s": round(t["total_s"], 2), "rows_per_s": round(rows / t["total_s"]),
            "attempts": t["attempts"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR / "bench"))
    from common import Timer, log, migrate, setup_django

    data_dir = BENCH_DIR / "import"
    for name in ("techmarket.sqlite3", "techmarket.sqlite3-wal", "techmarket.sqlite3-shm"):
        (data_dir / name).unlink(missing_ok=True)
    setup_django(data_dir, jobs="none")
    from django.conf import settings

    from techmarket.catalogue.importers.loader import import_file
    from techmarket.catalogue.models import Listing
    from techmarket.matching.models import SearchDocument

    path = BENCH_DIR / f"import-{args.rows}-v{GENERATOR_VERSION}.xlsx"
    if not path.exists():
        timer = Timer()
        make_workbook(path, args.rows)
        log(f"  generated {path.relative_to(PROJECT_DIR)} in {timer.seconds:.1f} s")
    timer = Timer()
    migrate()
    import_file(Path(settings.TECHMARKET_SEED_FILE))
    log(f"  new database migrated and seeded in {timer.seconds:.1f} s; importing {args.rows:,} rows…")
    before = Listing.objects.count()
    results = [_figures("first import", args.rows, _timed_import(path))]
    imported = Listing.objects.count() - before
    documents = SearchDocument.objects.filter(listing__reference__startswith="bench/").count()
    if imported != args.rows or documents != args.rows:
        raise SystemExit(f"expected {args.rows} new listings with documents, got {imported} and {documents}")
    results.append(_figures("re-import, unchanged", args.rows, _timed_import(path)))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    load = os.getloadavg()[0]
    print(f"\nImport of a {args.rows:,}-row workbook ({path.name}), SQLite, {os.cpu_count()} cores, "
          f"load average {load:.1f} before")
    print(f"{'run':<22} {'read':>14} {'plan':>8} {'write txn':>10} {'total':>8} {'rows/s':>8} {'CPU':>8} "
          f"{'rows/CPU s':>10}")
    for r in results:
        print(f"{r['run']:<22} {r['parse_s']:>6.1f} s {r['parse_rows_per_s']:>5}/s {r['plan_s']:>6.1f} s "
              f"{r['write_transaction_s']:>8.2f} s {r['total_s']:>6.1f} s {r['rows_per_s']:>8} "
              f"{r['cpu_s']:>6.1f} s {r['cpu_rows_per_s']:>10}")
    first = results[0]
    ok_speed = first["rows_per_s"] >= TARGET_ROWS_PER_S
    ok_lock = first["write_transaction_s"] < BUSY_TIMEOUT_S / 4
    if not ok_speed and load > (os.cpu_count() or 1):
        print(f"(the machine is loaded: {first['cpu_rows_per_s']} rows per CPU second)")
    print(f"write transaction CPU: {first['write_transaction_cpu_s']:.2f} s (first import), "
          f"{results[1]['write_transaction_cpu_s']:.2f} s (re-import)")
    print(f"target ≥ {TARGET_ROWS_PER_S} rows/s: {'met' if ok_speed else 'NOT MET'}; write transaction "
          f"{first['write_transaction_s']:.2f} s against a {BUSY_TIMEOUT_S} s busy timeout: "
          f"{'well under' if ok_lock else 'TOO LONG'}")


if __name__ == "__main__":
    main()
