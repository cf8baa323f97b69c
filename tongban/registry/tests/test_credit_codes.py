import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from tongban.org.validators import ALPHABET, make_uscc, validate_uscc

LETTERS = [c for c in ALPHABET if c.isalpha()]


def generated(count: int, seed: int = 32100) -> list[str]:
    rng = random.Random(seed)
    return [
        make_uscc(
            rng.choice(LETTERS),
            rng.choice(ALPHABET),
            "610124",
            "".join(rng.choice(ALPHABET) for _ in range(8)),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("code", generated(200))
def test_codes_with_letter_department_codes_validate(code):
    validate_uscc(code)
    validate_uscc(code.lower())
    assert not stdnum_uscc.is_valid(code)


@pytest.mark.parametrize("code", generated(50, seed=1))
def test_the_same_codes_with_a_wrong_check_character_are_refused(code):
    wrong = code[:17] + next(c for c in ALPHABET if c != code[17])
    with pytest.raises(ValidationError) as error:
        validate_uscc(wrong)
    assert error.value.code == "uscc_checksum"
