"""``{% load identity_tags %}{% account_menu %}``: the header's 登录 / 我的(current identity)."""

from django import template

from tongban.identity import enterprises

register = template.Library()


@register.inclusion_tag("identity/_account_menu.html", takes_context=True)
def account_menu(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.kind != user.Kind.PERSON:
        return {"account": None}
    return {"account": user, "acting": enterprises.acting_enterprise(request)}
