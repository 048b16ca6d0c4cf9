"""Password rules beyond Django's: a password mixes kinds of characters.

Used with Django's validators (length, similarity, common, numeric) in settings.AUTH_PASSWORD_VALIDATORS.
The rule follows the usual requirement for government systems in China (等级保护): at least three of
upper-case letters, lower-case letters, digits and symbols. So `zhang1234` is refused; `Zhang-2026-xining` is
accepted.
"""

from django.core.exceptions import ValidationError


def _kinds(password: str) -> set[str]:
    found = set()
    for char in password:
        if not char.isascii() or not char.isalnum():
            found.add("符号")
        elif char.isdigit():
            found.add("数字")
        else:
            found.add("大写字母" if char.isupper() else "小写字母")
    return found


class CharacterKindsValidator:
    """At least `min_kinds` of: upper-case letters, lower-case letters, digits, symbols (anything else,
    Chinese characters included)."""

    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        if len(_kinds(password)) < self.min_kinds:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少 %(min_kinds)d 种。",
                code="password_too_simple",
                params={"min_kinds": self.min_kinds},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_kinds} 种。"
