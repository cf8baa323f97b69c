"""Fen to yuan text."""

from tongban.core.money import yuan


def test_money_becomes_yuan_in_integers():
    assert [yuan(4000), yuan(5), yuan(-1050), yuan(None), yuan(10**17 + 1)] == [
        "40.00",
        "0.05",
        "-10.50",
        "",
        "1000000000000000.01",
    ]
