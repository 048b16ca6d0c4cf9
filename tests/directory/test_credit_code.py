import pytest
from django.core.exceptions import ValidationError

from techmarket.directory.credit_code import check_character, is_valid_credit_code
from techmarket.directory.models import Organisation


@pytest.mark.parametrize("code", ["91110000802100433B", "12100000400000624D"])
def test_published_codes_validate(code):
    assert is_valid_credit_code(code)


def test_changed_check_character_is_rejected():
    body = "9163000071040331"
    good = body + "6" + check_character(body + "6")
    assert is_valid_credit_code(good)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert not is_valid_credit_code(wrong)


@pytest.mark.parametrize("code", ["", "123", "91110000802100433I", "9111000080210043", "91110000802100433BX"])
def test_malformed_codes_are_rejected(code):
    assert not is_valid_credit_code(code)


def test_model_validation_gives_a_chinese_message(db):
    org = Organisation(name="测试单位", credit_code="91110000802100433A")
    with pytest.raises(ValidationError) as caught:
        org.full_clean()
    assert "统一社会信用代码无效" in str(caught.value)
