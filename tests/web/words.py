"""What a person reads is words, not codes (issue 13, point 5): the patterns the page tests share.

Internal codes stay in URLs, the API and the command line: listing references (innovation/hightech/12,
user/180), grade letters (A, B, C), taxonomy codes (salt-lake.lithium) and rule ids (oc2025-3-self-funded-rd).
The interface is in simplified Chinese, so an English word in the text is a label nobody translated, except the
few in ENGLISH_ALLOWED.
"""

import re

# An internal reference as text: innovation/hightech/12, platform/3, user/180, pending/…
REFERENCE_TEXT = re.compile(r"[a-z][a-z-]*/(?:[a-z0-9-]+/)*\d+")
# A grade letter in a table cell or a history line, where any A, B or C not inside a Latin word is the code.
GRADE_LETTER = re.compile(r"(?<![A-Za-z])[ABC](?![A-Za-z])")
# A grade letter standing alone in running text: not part of a word, a number or a Chinese term (A股, C919).
GRADE_CODE = re.compile(r"(?<![\w.-])[ABC](?![\w.-])")
# A dotted taxonomy code (salt-lake.lithium, clean-energy.storage) or a hyphenated lower-case id of three parts
# or more (oc2025-3-self-funded-rd).
TAXONOMY_CODE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\w@/-])")
RULE_ID = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+){2,}(?![\w.-])")

# Latin words a Chinese reader meets in Chinese text, each for a reason (docs/testing.md, "Words and codes").
ENGLISH_ALLOWED = {
    "PDF", "Excel", "Word", "CSV", "DOCX", "XLSX", "PNG", "JPEG",  # file formats, known by these names
    "MB",  # the unit of a file's size (不超过 10 MB)
    "TRL",  # the nine-level technology readiness scale (技术成熟度 TRL 6), named so in Chinese project documents
    "API",  # the open interface (开放接口) is documented as an API to programmers
    "kg", "MW", "GWh", "km",  # units of measure, written in Latin letters in Chinese too
    "CAS",  # the Chinese Academy of Sciences' English abbreviation, used in institute names
}
LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Latin text that is not a word of the interface: listing numbers (编号 XQ-2025-0012), e-mail addresses,
# web addresses and file names a user uploaded (技术转让合同.pdf).
NOT_WORDS = re.compile(
    r"\b(?:XQ|CG|RC|PT)-\d{4}-\d{4,}\b"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|https?://\S+"
    r"|[^\s/\\]+\.(?:pdf|docx?|xlsx?|csv|png|jpe?g|zip)\b",
    re.IGNORECASE,
)


CODES = (REFERENCE_TEXT, GRADE_CODE, TAXONOMY_CODE, RULE_ID)


def english_words(text: str) -> list[str]:
    """The Latin words of `text` (two letters or more) that are not in ENGLISH_ALLOWED; internal codes are left to
    internal_codes."""
    text = NOT_WORDS.sub(" ", text)
    for pattern in CODES:
        text = pattern.sub(" ", text)
    words = LATIN_WORD.findall(text)
    return sorted({word for word in words if len(word) > 1 and word not in ENGLISH_ALLOWED})


def internal_codes(text: str) -> list[str]:
    """The internal codes `text` shows: references, standalone grade letters, taxonomy codes and rule ids."""
    text = NOT_WORDS.sub(" ", text)
    found = [match[0] for pattern in CODES for match in pattern.finditer(text)]
    return sorted(set(found))
