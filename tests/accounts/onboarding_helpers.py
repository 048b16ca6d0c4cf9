"""Valid unified social credit codes for the onboarding tests (fixtures: tests/accounts/conftest.py)."""

from techmarket.directory.credit_code import CHARSET, check_character


def valid_code(first17: str) -> str:
    """`first17` with its GB 32100 check character."""
    assert len(first17) == 17
    return first17 + check_character(first17)


def invalid_code(code: str) -> str:
    """The same code with another check character."""
    wrong = CHARSET[(CHARSET.index(code[-1]) + 1) % len(CHARSET)]
    return code[:-1] + wrong


UNIVERSITY_CODE = valid_code("12630000710400001")  # given to 青海大学 by the tests (the seed records no codes)
NEW_CODE = valid_code("91630200MA7500001")  # no organisation has it

