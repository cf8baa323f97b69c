"""证照标识: built and parsed, every malformed form named, other authorities' codes accepted."""

import pytest
from stdnum.iso7064 import mod_37_36

from tongban.licenses import identifiers
from tongban.licenses.identifiers import InvalidIdentifier
from tongban.licenses.tests.factories import authority_uscc, type_code
from tongban.org.validators import make_uscc

ISSUER = make_uscc("1", "1", "610124", "TB000001")
TYPE = type_code(32, authority=authority_uscc(1))


def test_build_and_parse_round_trip():
    text = identifiers.build(TYPE, ISSUER, "A0001", 1)
    assert text.startswith(f"1.2.156.3005.2.{TYPE}.{ISSUER}.A0001.001.")
    parsed = identifiers.parse(text)
    assert (parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version) == (
        TYPE,
        ISSUER,
        "A0001",
        1,
    )
    assert str(parsed) == text
    assert mod_37_36.is_valid(f"{TYPE}{ISSUER}A0001001{parsed.check}")


def test_the_check_covers_every_middle_field():
    checks = {identifiers.build(TYPE, ISSUER, f"A{n:04d}", 1)[-1] for n in range(40)}
    assert len(checks) > 10


@pytest.mark.parametrize(
    "issuer",
    [
        make_uscc("9", "1", "610000", "MA000001"),  # a provincial enterprise-style code
        make_uscc("N", "2", "110105", "AB123456"),  # letters in positions 1–2
        make_uscc("Y", "1", "440300", "QW000009"),
        "91350100M000100Y43",  # a real-world shaped code from another province
    ],
)
def test_other_authorities_codes_are_well_formed(issuer):
    other_type = type_code(5, authority=make_uscc("1", "1", "310000", "HU000002"))
    text = identifiers.build(other_type, issuer, "2024SH0001", 3)
    assert identifiers.parse(text).issuer_code == issuer


def test_catalog_type_codes_are_taken_as_given():
    """The demo catalog's placeholder authority codes fail the USCC check character."""
    text = identifiers.build("11100000000012345A014", ISSUER, "X1", 1)
    assert identifiers.parse(text).type_code == "11100000000012345A014"


def test_lower_case_and_spaces_are_accepted():
    text = identifiers.build(TYPE, ISSUER, "AB12", 1)
    assert str(identifiers.parse(f"  {text.lower()} ")) == text


def _reason(text):
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.parse(text)
    assert caught.value.code == "invalid_identifier"
    assert caught.value.message_en
    return caught.value.message


def test_each_malformed_form_says_why():
    good = identifiers.build(TYPE, ISSUER, "A0001", 1)
    head = f"1.2.156.3005.2.{TYPE}.{ISSUER}"
    assert "开头" in _reason(good.replace("1.2.156.3005.2", "1.2.156.3005.1"))
    assert "段" in _reason(good + ".X")
    assert "段" in _reason(f"{head}.A0001.1")
    assert "类型代码" in _reason(good.replace(TYPE, TYPE[:-1]))
    assert "类型代码" in _reason(good.replace(TYPE, TYPE[:-3] + "ABC"))
    assert "类型代码" in _reason(good.replace(TYPE, "11100000I00013338W001"))
    assert "类型代码" in _reason(good.replace(TYPE, "111000A0000013338W001"))
    bad_issuer = ISSUER[:-1] + ("1" if ISSUER[-1] != "1" else "2")
    assert "颁证单位" in _reason(good.replace(ISSUER, bad_issuer))
    assert "顺序号" in _reason(f"{head}.A-01.001.0")
    assert "顺序号" in _reason(f"{head}.{'A' * 33}.001.0")
    assert "版本号" in _reason(f"{head}.A0001.01.0")
    assert "版本号" in _reason(f"{head}.A0001.000.0")
    wrong = "0" if good[-1] != "0" else "1"
    assert "校验位" in _reason(good[:-1] + wrong)
    assert "校验位" in _reason(good + "0")
    assert "开头" in _reason("")


def test_the_documented_example_parses():
    text = "1.2.156.3005.2.11100000000012345A014.11610124TB0000044L.2026000001.001.D"
    assert identifiers.parse(text).serial == "2026000001"
