"""What the policy pages show of texts written for the engine.

The rule files' notes, the derivation steps and reasons the engine writes (stored with each application as
computed) name event fields by their codes (`project`, `amounts.paid`, `since`, `parameters`), as the API and the
command line take them; and the 2025 action plan is quoted in traditional characters, as printed. On the pages
the codes become the calculator's labels and traditional characters become simplified. Only what is shown
changes: the files, the API, the command line and the stored applications keep their text.
"""

import re

from techmarket.common.templatetags.chinese import to_simplified

# The calculator's labels of the event fields (policy/forms.py uses the same words).
AMOUNT_LABELS = {
    "amount": "主金额",
    "paid": "实际到位金额",
    "costs": "发行费用",
    "in_province_subscription": "省内法人股东认购部分",
    "equipment": "关键设备购置总额",
    "technology_fee": "技术引进费用",
    "requested": "申请金额",
}
FIELD_LABELS = {
    "project": "项目或合同编号",
    "year": "申报年度",
    "years": "年数",
    "since": "起算日期",
    **AMOUNT_LABELS,
}
# Words that already name the field when they stand just before it: "起算日期（since）" needs no gloss.
_ALIASES = {
    "project": ("项目或合同编号", "项目编号", "合同编号"),
    "year": ("申报年度", "年度"),
    "years": ("年数", "建设期"),
    "since": ("起算日期",),
}
PARAMETERS = "开放接口的事件参数"  # ranged parameters are chosen through the API (or by a reviewer)

_CODE = "|".join(sorted(FIELD_LABELS, key=len, reverse=True))
_NAME = rf"(?<![A-Za-z0-9_.])(?:amounts\.)?({_CODE})(?![A-Za-z0-9_])"
_PARAMETERS = re.compile(r"(?:事件)?[ \t]*(?<![A-Za-z0-9_.])parameters(?![A-Za-z0-9_])[ \t]*")
_IN_BRACKETS = re.compile(rf"[ \t]*（[ \t]*{_NAME}[ \t]*）")
_BARE = re.compile(rf"[ \t]*{_NAME}[ \t]*")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _gloss(match: re.Match) -> str:
    """A code in brackets after words: dropped when the words already name the field, else glossed."""
    code = match.group(1)
    before = match.string[:match.start()]
    if before.endswith((FIELD_LABELS[code], *_ALIASES.get(code, ()))):
        return ""
    if code == "project":
        return f"（以“{FIELD_LABELS[code]}”区分）"
    return f"（填入“{FIELD_LABELS[code]}”）"


def _label(match: re.Match) -> str:
    """A code standing among Chinese words becomes its label in quotes; one among Latin words (a name such as
    "Delta project Ltd." in a derivation step) is left alone."""
    text, start, end = match.string, match.start(), match.end()
    if (start and _LATIN.match(text[start - 1])) or (end < len(text) and _LATIN.match(text[end])):
        return match.group(0)
    return f"“{FIELD_LABELS[match.group(1)]}”"


def field_words(text: str) -> str:
    """Event field codes in `text` replaced by the calculator's labels."""
    if not text or not re.search(r"[a-z]", text):
        return text
    text = _PARAMETERS.sub(PARAMETERS, text)
    text = _IN_BRACKETS.sub(_gloss, text)
    return _BARE.sub(_label, text)


def readable(text) -> str:
    """A text of the rule files or of the engine as a page shows it: simplified characters, field labels."""
    return field_words(to_simplified(text))
