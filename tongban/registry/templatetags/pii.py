"""``{% load pii %}{{ person.phone|mask }}`` or ``{{ value|mask:"id_number" }}``."""

from django import template

from tongban.core.pii.masking import mask as mask_value

register = template.Library()


@register.filter
def mask(value, kind=None):
    return mask_value(value, kind or None)
