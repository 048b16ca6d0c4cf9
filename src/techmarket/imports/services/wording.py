"""The importer's messages (English, as the CLI prints them) in Chinese for the staff pages: locations and the
known problems and warnings; anything else is shown as written."""

import re

_LOCATIONS = [
    (re.compile(r"^sheet (?P<sheet>.+?), row (?P<row>\d+)$"), "工作表“{sheet}”第 {row} 行"),
    (re.compile(r"^table (?P<table>\d+), row (?P<row>\d+)$"), "第 {table} 个表格第 {row} 行"),
    (re.compile(r"^sheet (?P<sheet>.+?)$"), "工作表“{sheet}”"),
    (re.compile(r"^table (?P<table>\d+)$"), "第 {table} 个表格"),
    (re.compile(r"^line (?P<line>\d+)$"), "第 {line} 行"),
    (re.compile(r"^listing (?P<n>\d+)$"), "数据第 {n} 条"),
    (re.compile(r"^listing (?P<number>.+)$"), "编号为 {number} 的条目"),
]
_MESSAGES = [
    (re.compile(r"^column (?P<c>\S+) is not a number: (?P<v>.*)$"), "“{c}”不是数字：{v}"),
    (re.compile(r"^column (?P<c>\S+) is empty$"), "“{c}”为空"),
    (re.compile(r"^column (?P<c>\S+) is longer than (?P<n>\d+) characters$"), "“{c}”超过 {n} 个字"),
    (re.compile(r"^no column for (?P<c>.+?); unknown header\(s\) (?P<h>.+): map them \(--mapping\)$"),
     "找不到“{c}”列；表头 {h} 未能识别，请在上方为其指定栏目"),
    (re.compile(r"^no column for (?P<c>.+)$"), "找不到“{c}”列"),
    (re.compile(r"^unknown header\(s\) (?P<h>.+) left out \(map them with --mapping\)$"),
     "表头 {h} 未能识别，此列不导入（可在上方为其指定栏目）"),
    (re.compile(r"^序号 (?P<n>\d+) follows (?P<m>\d+); kept in file order as item (?P<p>\d+)$"),
     "序号 {n} 接在 {m} 之后，编号有误，按文件顺序作为第 {p} 项"),
    (re.compile(r"^no field keyword found; left unclassified for review$"), "未找到领域关键词，留待审核时分类"),
    (re.compile(r"^unknown cooperation mode\(s\) (?P<m>.+) kept as text$"), "合作方式“{m}”未能识别，保留原文"),
    (re.compile(r"^reference (?P<r>\S+) also given at (?P<w>.+)$"), "与{w}的条目重复"),
    (re.compile(r"^“(?P<s>.+)” is not a known section.*$"), "“{s}”不是已知的分组"),
    (re.compile(r"^no header row naming the columns.*$"), "没有可识别的表头行"),
    (re.compile(r"^no section heading before this table$"), "表格前没有分组标题"),
    (re.compile(r"^(?P<n>\d+) items imported, the document declares (?P<m>\d+)$"), "导入 {n} 项，文件标明 {m} 项"),
]


def location_text(location: str) -> str:
    for pattern, text in _LOCATIONS:
        match = pattern.match(location)
        if match:
            return text.format(**{k: _where(v) for k, v in match.groupdict().items()})
    if location.startswith("section "):
        return f"分组“{location[len('section '):]}”"
    return location


def _where(value: str) -> str:
    match = re.match(r"^(?:sheet (?P<s>.+?), row (?P<r>\d+)|table (?P<t>\d+), row (?P<tr>\d+))$", value)
    if not match:
        return value
    return location_text(value)


def message_text(message: str) -> str:
    for pattern, text in _MESSAGES:
        match = pattern.match(message)
        if match:
            return text.format(**{k: location_text(v) for k, v in match.groupdict().items()})
    return message


def problem_text(line: str) -> str:
    """"sheet 西宁市, row 3: column 项目名称 is empty" → "工作表“西宁市”第 3 行：“项目名称”为空"."""
    location, sep, message = line.partition(": ")
    if not sep:
        return message_text(line)
    return f"{location_text(location)}：{message_text(message)}"
