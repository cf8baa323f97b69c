"""``{{ fen|yuan }}``: an amount in fen shown in yuan with two decimals (finance pages)."""

from django import template

from tongban.core.money import yuan

register = template.Library()


register.filter("yuan", yuan)
