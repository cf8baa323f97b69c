import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from tongban.org.validators import (
    make_uscc,
    normalize_uscc,
    org_code_check_character,
    validate_uscc,
)

# Written out from GB 32100-2015 here, independently of the code under test.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def error_code(value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    return caught.value.code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_examples_are_accepted(code):
    validate_uscc(code)


@pytest.mark.parametrize("first17", ["N2610124MA6TB0001", "Y1610124TB0000013", "A1110000MB1234567"])
def test_letters_in_positions_one_and_two_are_accepted(first17):
    code = first17 + check_character(first17)

    validate_uscc(code)
    assert not stdnum_uscc.is_valid(code)  # the reason the platform has its own validator


def test_lower_case_and_spaces_are_understood():
    validate_uscc("91350100 m000100y43")
    assert normalize_uscc(" 9135-0100 m000100y43 ") == "91350100M000100Y43"


def test_a_wrong_check_character_is_rejected():
    assert error_code("91350100M000100Y44") == "uscc_checksum"


def test_a_changed_character_is_rejected():
    assert error_code("91350100M000200Y43") == "uscc_checksum"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y431", ""])
def test_a_wrong_length_is_rejected(code):
    assert error_code(code) == "uscc_length"


@pytest.mark.parametrize("letter", "IOSVZ")
def test_letters_outside_the_charset_are_rejected(letter):
    assert error_code(f"91350100M000100{letter}43") == "uscc_characters"


def test_letters_in_the_division_code_are_rejected():
    first17 = "91A50100M000100Y4"
    assert error_code(first17 + check_character(first17)) == "uscc_division"


def test_the_message_is_chinese_and_english():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "校验位错误" in caught.value.messages[0]
    assert "check character" in caught.value.messages[0]


def test_organization_code_check_matches_the_published_examples():
    assert org_code_check_character("M000100Y") == "4"
    assert org_code_check_character("60003734") == "1"


def test_make_uscc_builds_codes_with_both_checks():
    code = make_uscc("1", "1", "610124", "TB000001")

    assert code[:8] == "11610124"
    assert code[16] == org_code_check_character("TB000001")
    assert code[17] == check_character(code[:17])
    validate_uscc(code)
