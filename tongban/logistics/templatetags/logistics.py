"""``{% delivery_panel case audience %}``: the case's waybills and tracking on the
applicant's case page (``audience`` "applicant") and the workbench (``"staff"``)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def delivery_panel(context, case, audience: str) -> str:
    return ""
