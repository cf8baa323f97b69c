import base64
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tongban.core.checks import refuse_unsafe_production
from tongban.identity.models import User


def _key(byte: str) -> str:
    return base64.b64encode(byte.encode() * 32).decode()


@pytest.fixture
def production_secret(tmp_path):
    """A complete production configuration: real secret and keys, a real SMS gateway,
    payment channel and courier.

    The demo secret file sits beside it, holding another value.
    """
    demo_file = tmp_path / "secret_key"
    demo_file.write_text("the-demo-secret")
    gateway = {
        **settings.NOTIFY_PROVIDERS["sms_http"],
        "url": "https://sms.example.cn/api",
        "app_key": "zhouzhi",
        "app_secret": "s3cret",
    }
    channel = {"type": "channel_http", "url": "https://pay.example.cn", "merchant_id": "ZZ"}
    courier = {"type": "courier_http", "url": "https://ems.example.cn", "customer_code": "ZZ"}
    with override_settings(
        PRODUCTION=True,
        DEBUG=False,
        SECRET_KEY="a-real-production-secret",
        DEMO_SECRET_FILE=demo_file,
        GATEWAY_SECRET_KEY=_key("g"),
        PII_KEYS={"k1": _key("p")},
        PII_ACTIVE_KEY="k1",
        PII_INDEX_KEY=_key("i"),
        NOTIFY_SMS_PROVIDER="sms_http",
        NOTIFY_CHANNEL_PROVIDERS={"sms": "sms_http", "email": "email"},
        NOTIFY_PROVIDERS={**settings.NOTIFY_PROVIDERS, "sms_http": gateway},
        PAYMENTS_PROVIDER="channel_http",
        PAYMENTS_PROVIDERS={"channel_http": {**channel, "app_secret": "s1"}},
        LOGISTICS_PROVIDER="courier_http",
        LOGISTICS_PROVIDERS={"courier_http": {**courier, "app_secret": "s2"}},
        KIOSK_READER_PROVIDER="reader_http",
    ):
        yield demo_file


@pytest.mark.django_db
def test_a_clean_production_configuration_starts(production_secret):
    refuse_unsafe_production()


@pytest.mark.django_db
def test_production_refuses_debug(production_secret):
    with override_settings(DEBUG=True), pytest.raises(ImproperlyConfigured, match="DEBUG"):
        refuse_unsafe_production()


@pytest.mark.django_db
def test_production_refuses_the_demo_secret(production_secret):
    with (
        override_settings(SECRET_KEY="the-demo-secret"),
        pytest.raises(ImproperlyConfigured, match="演示密钥"),
    ):
        refuse_unsafe_production()


@pytest.mark.django_db
def test_production_refuses_demo_accounts(production_secret):
    User.objects.create_user("clerk", is_demo=True)

    with pytest.raises(ImproperlyConfigured, match=r"演示账号.*clerk"):
        refuse_unsafe_production()


@pytest.mark.django_db
def test_production_refuses_what_other_apps_check_too(production_secret):
    """The entry points run every app's checks: here the SMS sandbox left on."""
    with (
        override_settings(NOTIFY_CHANNEL_PROVIDERS={"sms": "sandbox", "email": "email"}),
        pytest.raises(ImproperlyConfigured, match="短信沙箱"),
    ):
        refuse_unsafe_production()


@pytest.mark.django_db
def test_development_allows_demo_accounts_and_debug():
    User.objects.create_user("clerk", is_demo=True)
    with override_settings(PRODUCTION=False, DEBUG=True):
        refuse_unsafe_production()


def _start(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "tongban.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import tongban.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_will_not_start_without_a_secret_key():
    result = _start({"TONGBAN_ENV": "production"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_will_not_start_with_debug_on(tmp_path):
    result = _start(
        {
            "TONGBAN_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )

    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "provider", "message"),
    [
        ("PAYMENTS_PROVIDERS", {"type": "sandbox"}, "支付沙箱"),
        ("PAYMENTS_PROVIDERS", {"type": "channel_http", "url": "https://pay"}, "支付渠道未配置"),
        ("LOGISTICS_PROVIDERS", {"type": "sandbox"}, "快递沙箱"),
        ("LOGISTICS_PROVIDERS", {"type": "courier_http"}, "快递接口未配置"),
        ("KIOSK_READER_PROVIDERS", {"type": "sandbox"}, "读卡器沙箱"),
    ],
)
def test_production_refuses_a_sandbox_or_unconfigured_channel_and_courier(
    production_secret, setting, provider, message
):
    name = {
        "PAYMENTS_PROVIDERS": "channel_http",
        "LOGISTICS_PROVIDERS": "courier_http",
        "KIOSK_READER_PROVIDERS": "reader_http",
    }[setting]
    with (
        override_settings(**{setting: {name: provider}}),
        pytest.raises(ImproperlyConfigured, match=message),
    ):
        refuse_unsafe_production()
