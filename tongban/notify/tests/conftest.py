"""The sandbox SMS service on a free loopback port, and the settings that point at it."""

import datetime

import pytest
import time_machine

from tongban.notify import services
from tongban.notify.models import Channel
from tongban.notify.providers.sandbox import Sandbox

# 10:00 in Zhouzhi: outside the quiet hours.
MORNING = datetime.datetime(
    2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)
PHONE = "13800001111"


@pytest.fixture
def sandbox(settings):
    config = settings.NOTIFY_PROVIDERS["sandbox"]
    service = Sandbox(config["app_key"], config["app_secret"]).start()
    settings.NOTIFY_PROVIDERS = {
        **settings.NOTIFY_PROVIDERS,
        "sandbox": {**config, "url": service.url, "timeout": 2.0},
    }
    settings.NOTIFY_CHANNEL_PROVIDERS = {**settings.NOTIFY_CHANNEL_PROVIDERS, "sms": "sandbox"}
    yield service
    service.stop()


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def notice(db):
    """A template with all three channels."""
    services.save_template(
        "case.accepted",
        Channel.IN_APP,
        subject="办件已受理",
        body="{姓名}您好,您的{事项}已受理。",
        variables="姓名,事项",
    )
    services.save_template(
        "case.accepted", Channel.SMS, body="{姓名}您好,您的{事项}已受理。", variables="姓名,事项"
    )
    services.save_template(
        "case.accepted",
        Channel.EMAIL,
        subject="办件已受理:{事项}",
        body="{姓名}您好,您的{事项}已受理。",
        variables="姓名,事项",
    )
    return {"姓名": "王丽", "事项": "个体工商户登记"}
