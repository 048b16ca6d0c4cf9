"""Compilations as they circulate, generated for the tests: Word and Excel files with their own header words,
merged header cells, several tables or sheets and numbering mistakes."""

from pathlib import Path

import docx
from openpyxl import Workbook

# Five header vocabularies (plus the seed's own): each a list of header rows; None is a cell covered by a merge.
VOCABULARIES = {
    "demand": [["序号", "需求名称", "需求内容", "需求单位", "拟合作方式", "联系人及电话"]],
    "offer": [["编号", "成果名称", "成果简介", "完成单位", "转化方式", "联系方式"]],
    "spaced": [["序 号", "技 术 名 称", "技术简介", "承担单位", "合作方式", "联系人", "联系电话"]],
    "wide": [["ＮＯ", "项目\n名称", "主要内容", "实施\n单位", "合作形式", "联系方式（姓名、电话）", "预算（万元）",
              "所在地"]],
    "merged": [["序号", "项目名称", "项目简介", "依托单位", "合作方式", "联系方式", None],
               [None, None, None, None, None, "联系人", "电话"]],
}


def row_cells(vocabulary: str, number: str, title: str, text: str, unit: str, mode: str, person: str,
              phone: str) -> list[str]:
    """One item laid out for the columns of `vocabulary`."""
    if vocabulary in ("spaced", "merged"):
        return [number, title, text, unit, mode, person, phone]
    if vocabulary == "wide":
        return [number, title, text, unit, mode, f"{person} {phone}", "50", "西宁市"]
    return [number, title, text, unit, mode, f"{person}\n{phone}"]


def items(prefix: str, numbers=("1", "2")) -> list[tuple]:
    """Items with distinct titles; `numbers` are the printed numbers (a misprint: ("1", "3"))."""
    return [
        (number, f"{prefix}高原特色技术{index}", f"{prefix}第{index}项的主要内容：在高海拔条件下开展技术研发与示范。",
         f"青海{prefix}测试有限公司", "联合研发", f"{'王李张'[index - 1]}{prefix}", f"1390000{index:04d}")
        for index, number in enumerate(numbers, start=1)
    ]


def make_workbook(path: Path, sheets: dict[str, tuple[str, list[tuple]]], title_row: bool = True) -> Path:
    """`sheets`: sheet name → (vocabulary, items). Merged header cells are merged in the sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (vocabulary, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        top = 1
        if title_row:
            sheet.append(["青海省某市州科技合作需求汇编"])
            top = 2
        header = VOCABULARIES[vocabulary]
        for cells in header:
            sheet.append(cells)
        if vocabulary == "merged":
            sheet.merge_cells(start_row=top, start_column=6, end_row=top, end_column=7)
            for column in range(1, 6):
                sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
        for item in rows:
            sheet.append(row_cells(vocabulary, *item))
    workbook.save(path)
    return path


def make_document(path: Path, tables: list[tuple[str, str, list[tuple]]]) -> Path:
    """`tables`: (heading paragraph, vocabulary, items), in order. Merged header cells are merged in Word."""
    document = docx.Document()
    document.add_heading("青海省某市州科技合作需求汇编", level=1)
    for heading, vocabulary, rows in tables:
        if heading:
            document.add_paragraph(heading)
        header = VOCABULARIES[vocabulary]
        width = len(header[0])
        table = document.add_table(rows=len(header), cols=width)
        if vocabulary == "merged":
            for column in range(5):
                table.cell(0, column).merge(table.cell(1, column))
            table.cell(0, 5).merge(table.cell(0, 6))
            table.cell(1, 5).text, table.cell(1, 6).text = "联系人", "电话"
            for column, name in enumerate(header[0][:6]):
                table.cell(0, column).text = name
        else:
            for cell, name in zip(table.rows[0].cells, header[0], strict=True):
                cell.text = name
        for item in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row_cells(vocabulary, *item), strict=True):
                cell.text = value
    document.save(path)
    return path
