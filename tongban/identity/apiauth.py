"""``UserAuth``: API operations for a signed-in account (a person, or staff).

A browser session (the Django session cookie), with Django's CSRF check on unsafe methods
(ninja's cookie authentication does it), or an access token issued by the platform's OIDC
provider to a department system (``Authorization: Bearer …``, no CSRF: no cookie is used;
``tongban.identity.oidc.tokens``). The authenticated account is ``request.auth`` (and
``request.user``). Gateway client tokens are not accounts: they authenticate only
gateway-protected operations (``tongban.gateway.auth``).
"""

from django.conf import settings
from ninja.security import APIKeyCookie

from tongban.identity.oidc.tokens import bearer_user


class UserAuth(APIKeyCookie):
    openapi_description = (
        "已登录账号的会话(Cookie,修改类请求需带 CSRF 令牌),或本平台单点登录签发的访问令牌"
        "(Authorization: Bearer)/ a session + CSRF, or a bearer token from the platform's OIDC"
    )
    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = bearer_user(request)
        if user is not None:
            request.user = user
            return user
        return super().__call__(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.kind == user.Kind.STAFF and not _otp_verified(user):
            return None  # a staff session counts once verified by TOTP, as in the admin
        return user


def _otp_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's middleware
    return bool(is_verified and is_verified())
