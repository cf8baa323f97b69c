"""Single sign-on addresses: the provider under /oidc/ (its issuer), a pointer from the
site root's /.well-known/openid-configuration, "我的授权", and provincial sign-in.

Only the protocol endpoints of django-oauth-toolkit are mounted: its application
management pages (any signed-in user could register clients there) and its device and
dynamic-registration flows are not.
"""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from oauth2_provider import views as dot

from tongban.identity.oidc import federation_views, views

provider = [
    path("authorize/", views.ConsentAuthorizationView.as_view(), name="authorize"),
    path("token/", views.ThrottledTokenView.as_view(), name="token"),
    path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        dot.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]

pages = [
    path(
        ".well-known/openid-configuration",
        RedirectView.as_view(url="/oidc/.well-known/openid-configuration"),
        name="discovery",
    ),
    path("account/sso/", views.my_consents, name="consents"),
    path("account/sso/<int:pk>/revoke/", views.revoke_consent, name="revoke_consent"),
    path("login/provincial/", federation_views.start, name="provincial_login"),
    path("login/provincial/callback", federation_views.callback, name="provincial_callback"),
]

urlpatterns = [
    path("oidc/", include((provider, "oauth2_provider"))),
    path("", include((pages, "sso"))),
]
