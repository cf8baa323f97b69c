"""Production safety: refuse DEBUG, the demo secret and demo accounts.

Registered as system checks (``manage.py check`` shows them) and run again by the WSGI and
ASGI entry points, which refuse to start while any of them fails.
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


def _settings_errors() -> list[checks.Error]:
    errors = []
    if settings.DEBUG:
        errors.append(checks.Error("生产环境不得开启 DEBUG / DEBUG is on", id="tongban.E001"))
    demo_file = settings.DEMO_SECRET_FILE
    if demo_file.exists() and demo_file.read_text().strip() == settings.SECRET_KEY:
        errors.append(
            checks.Error(
                "生产环境不得使用演示密钥 / SECRET_KEY is the demo secret from var/",
                id="tongban.E002",
            )
        )
    from tongban.core.pii.crypto import configuration_errors

    errors.extend(
        checks.Error(
            f"个人信息密钥未设置或有误 / {problem}",
            hint="PII_KEYS, PII_ACTIVE_KEY, PII_INDEX_KEY (docs/security.md)",
            id="tongban.E004",
        )
        for problem in configuration_errors()
    )
    return errors


def _demo_account_errors() -> list[checks.Error]:
    from tongban.identity.models import User

    try:
        demo = list(
            User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)[:5]
        )
    except DatabaseError:
        return []  # not migrated yet: there are no accounts at all
    if not demo:
        return []
    return [
        checks.Error(
            "生产环境存在演示账号,请先删除 / demo accounts are present: " + ", ".join(demo),
            hint="manage.py remove_demo_accounts",
            id="tongban.E003",
        )
    ]


@checks.register(checks.Tags.security)
def production_settings(app_configs=None, **kwargs):
    return _settings_errors() if settings.PRODUCTION else []


@checks.register(checks.Tags.database)
def production_accounts(app_configs=None, databases=None, **kwargs):
    if not settings.PRODUCTION or not databases:
        return []
    return _demo_account_errors()


def refuse_unsafe_production() -> None:
    """Stop the process when production runs with anything meant for the demo.

    Runs every system check of every app (the apps' own production checks — SMS gateway,
    API key encryption, personal-data keys — included) and refuses on any error. A retired
    demo account (inactive, kept because audit records name it) is harmless.
    """
    if not settings.PRODUCTION:
        return
    errors = [
        message
        for message in checks.run_checks(databases=["default"])
        if message.level >= checks.ERROR
    ]
    if errors:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(error.msg for error in errors))
