"""Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters, the last a check character."""

from django.core.exceptions import ValidationError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(c not in CHARSET for c in code):
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if value and not is_valid_credit_code(value):
        raise ValidationError("统一社会信用代码无效：应为18位，且末位校验码须符合 GB 32100 规定。", code="credit_code")
