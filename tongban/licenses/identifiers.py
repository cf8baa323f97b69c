"""证照标识 (GB/T 36903): build and parse
``1.2.156.3005.2.{type code}.{issuer USCC}.{serial}.{version}.{check}``.

- type code: the defining authority's USCC and a 3-digit sequence (21 characters);
- issuer USCC: the issuing department's 统一社会信用代码 (letters allowed in positions 1–2,
  ``tongban.org.validators``);
- serial: assigned by the issuer, upper-case letters and digits;
- version: 3 digits, ``001`` for the first issue;
- check: ISO/IEC 7064 MOD 37,36 over the four middle fields concatenated without dots.

``parse`` says which rule a text breaks (Chinese first) through ``InvalidIdentifier``, so the
verification API can answer 400 with the reason.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

from tongban.errors import InvalidInput
from tongban.org.validators import ALPHABET, USCC_LENGTH, normalize_uscc, validate_uscc

PREFIX = "1.2.156.3005.2"
TYPE_CODE_LENGTH = USCC_LENGTH + 3
SERIAL_MAX_LENGTH = 32
_SERIAL = re.compile(rf"[0-9A-Z]{{1,{SERIAL_MAX_LENGTH}}}")
_VERSION = re.compile(r"[0-9]{3}")
_FIELDS = 5


class InvalidIdentifier(InvalidInput):
    """A text that is not a well-formed license identifier (400 ``invalid_identifier``)."""

    code = "invalid_identifier"
    status = 400
    message = "证照标识格式不正确"
    message_en = "The license identifier is not well formed"


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        middle = f"{self.type_code}.{self.issuer_code}.{self.serial}.{self.version:03d}"
        return f"{PREFIX}.{middle}.{self.check}"


def check_character(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version:03d}")


def build(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """The identifier of one license version; the parts are checked as ``parse`` would."""
    check_type_code(type_code)
    _check_uscc(issuer_code, "颁证单位统一社会信用代码", "issuer USCC")
    _check_serial(serial)
    if not 1 <= version <= 999:
        raise InvalidIdentifier("版本号应在 001–999 之间", "The version must be 001–999")
    check = check_character(type_code, issuer_code, serial, version)
    return str(Identifier(type_code, issuer_code, serial, version, check))


def parse(text: str) -> Identifier:
    """The parts of ``text``, or ``InvalidIdentifier`` naming the first rule it breaks."""
    text = (text or "").strip().upper()
    if not text.startswith(PREFIX + "."):
        raise InvalidIdentifier(
            f"证照标识应以 {PREFIX}. 开头", f"A license identifier starts with {PREFIX}."
        )
    parts = text[len(PREFIX) + 1 :].split(".")
    if len(parts) != _FIELDS:
        raise InvalidIdentifier(
            f"证照标识应在前缀后有 {_FIELDS} 段(类型代码、颁证单位代码、顺序号、版本号、校验位),"
            f"当前为 {len(parts)} 段",
            f"A license identifier has {_FIELDS} fields after the prefix, not {len(parts)}",
        )
    type_code, issuer_code, serial, version, check = parts
    check_type_code(type_code)
    _check_uscc(issuer_code, "颁证单位统一社会信用代码", "issuer USCC")
    _check_serial(serial)
    if not _VERSION.fullmatch(version) or version == "000":
        raise InvalidIdentifier(
            "版本号应为3位数字(001 起)", "The version must be 3 digits, from 001"
        )
    if len(check) != 1 or check != check_character(type_code, issuer_code, serial, int(version)):
        raise InvalidIdentifier(
            "证照标识校验位错误,请核对", "The check character of the identifier is wrong"
        )
    return Identifier(type_code, issuer_code, serial, int(version), check)


def check_type_code(type_code: str) -> None:
    """The defining authority's USCC in shape (alphabet, division digits) and 3 digits.

    The authority's own check character is not enforced: type codes come from the license
    catalog as given (the demo catalog's are placeholders, ``catalog/data/demo_common.py``),
    and the identifier's MOD 37,36 check already catches a mistyped one.
    """
    authority, sequence = type_code[:USCC_LENGTH], type_code[USCC_LENGTH:]
    if (
        len(type_code) != TYPE_CODE_LENGTH
        or not sequence.isdigit()
        or any(char not in ALPHABET for char in authority)
        or not authority[2:8].isdigit()
    ):
        raise InvalidIdentifier(
            "证照类型代码应为定义机构统一社会信用代码(18位)加3位数字",
            "The license type code is the defining authority's USCC and 3 digits (21 characters)",
        )


def _check_uscc(code: str, label: str, label_en: str) -> None:
    try:
        if code != normalize_uscc(code):
            raise ValidationError(f"含有空格、连字符或小写字母 / {code!r} is not compact")
        validate_uscc(code)
    except ValidationError as error:
        reason = error.messages[0]
        raise InvalidIdentifier(
            f"{label}无效:{reason}", f"The {label_en} is not a valid USCC"
        ) from None


def _check_serial(serial: str) -> None:
    if not _SERIAL.fullmatch(serial):
        raise InvalidIdentifier(
            f"顺序号应为1至{SERIAL_MAX_LENGTH}位大写字母或数字",
            f"The serial is 1 to {SERIAL_MAX_LENGTH} letters or digits",
        )
