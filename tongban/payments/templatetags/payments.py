"""``{% payment_panel case audience %}``: the case's payment on the applicant's case page
(``audience`` "applicant") and the workbench (``"staff"``)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def payment_panel(context, case, audience: str) -> str:
    return ""
