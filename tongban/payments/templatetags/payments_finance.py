"""``{{ fen|yuan }}``: an amount in fen shown in yuan with two decimals (finance pages)."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    if fen is None or fen == "":
        return ""
    return f"{int(fen) / 100:.2f}"
