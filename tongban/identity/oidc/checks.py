"""Production refuses to start without the ID-token signing key, the subject key or the key
hashing sign-in codes, or with provincial sign-in switched on but no client secret for it."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def oidc_keys(app_configs=None, **kwargs):
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    if not settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        errors.append(
            Error(
                "单点登录签名密钥未设置 / OIDC_RSA_PRIVATE_KEY (or _FILE) must be set",
                hint="openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 (docs/sso.md)",
                id="identity.E101",
            )
        )
    if not settings.OIDC_SUBJECT_KEY:
        errors.append(
            Error(
                "单点登录用户标识密钥未设置 / OIDC_SUBJECT_KEY must be set",
                hint="base64 of 32 random bytes; never change it afterwards (docs/sso.md)",
                id="identity.E102",
            )
        )
    if not settings.IDENTITY_CODE_KEY:
        errors.append(
            Error(
                "短信验证码摘要密钥未设置 / IDENTITY_CODE_KEY must be set",
                hint="base64 of 32 random bytes (docs/operations.md)",
                id="identity.E104",
            )
        )
    if settings.PROVINCIAL_OIDC_ISSUER and not settings.PROVINCIAL_OIDC_CLIENT_SECRET:
        errors.append(
            Error(
                "省统一身份认证已启用但缺少客户端密钥 / PROVINCIAL_OIDC_CLIENT_SECRET is empty",
                hint="set it, or leave PROVINCIAL_OIDC_ISSUER empty (docs/sso.md)",
                id="identity.E103",
            )
        )
    return errors
