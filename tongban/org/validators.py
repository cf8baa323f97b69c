"""统一社会信用代码 (USCC, GB 32100-2015) and organization codes (GB 11714-1997).

python-stdnum's ``stdnum.cn.uscc`` computes the check character correctly but demands digits
in positions 1–2, while the standard allows letters there (``N`` for rural collective
economic organizations, ``Y`` for other registration departments, …). The platform must accept
every code the standard allows, so the format rules are ours and the check character is
stdnum's.

The organization code's own check (position 17, GB 11714) is not enforced by
``validate_uscc``: the check character at position 18 already covers the whole code, and a
code once issued by a registration authority must not be turned away by a second rule. The
demo and the tests build codes that satisfy both (``make_uscc``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def normalize_uscc(value: str) -> str:
    """The stored form: no spaces or hyphens, upper case."""
    return stdnum_uscc.compact(str(value))


def uscc_check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 characters are given."""
    return stdnum_uscc.calc_check_digit(first17)


def org_code_check_character(first8: str) -> str:
    """GB 11714 check of an 8-character organization code body (letters count A=10 … Z=35)."""
    total = sum(
        int(char, 36) * weight for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def make_uscc(department: str, category: str, division: str, org_code_body: str) -> str:
    """A code that satisfies both checks: ``make_uscc("1", "1", "610124", "TB000001")``.

    Positions: registration department, category, 6-digit division, 8-character
    organization code body (its GB 11714 check and the code's check character are added).
    """
    org_code = org_code_body + org_code_check_character(org_code_body)
    first17 = department + category + division + org_code
    return first17 + uscc_check_character(first17)


def validate_uscc(value: str) -> None:
    """Reject anything that is not a GB 32100-2015 code, saying which rule it breaks."""
    code = normalize_uscc(value)
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位,当前为%(length)d位 / must be 18 characters"),
            code="uscc_length",
            params={"length": len(code)},
        )
    wrong = sorted({char for char in code if char not in ALPHABET})
    if wrong:
        raise ValidationError(
            _(
                "统一社会信用代码含有不允许的字符 %(chars)s(不使用 I、O、S、V、Z)"
                " / characters not allowed: %(chars)s"
            ),
            code="uscc_characters",
            params={"chars": "、".join(wrong)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3至8位应为行政区划代码(6位数字) / positions 3–8 must be digits"),
            code="uscc_division",
        )
    if code[-1] != uscc_check_character(code[:17]):
        raise ValidationError(
            _("统一社会信用代码校验位错误,请核对 / the check character is wrong"),
            code="uscc_checksum",
        )
