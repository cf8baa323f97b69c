"""``{% load sso %}{% provincial_login_button next %}``: the "使用陕西省统一身份认证登录"
button for sign-in pages; renders nothing while federation is off."""

from django import template

from tongban.identity.oidc import federation

register = template.Library()


@register.inclusion_tag("identity/oidc/provincial_button.html")
def provincial_login_button(next_url=""):
    return {"enabled": federation.enabled(), "next": next_url or ""}
