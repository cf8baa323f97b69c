"""Fixtures for the kiosk tests: a simulated card reader on a random loopback port, an
enrolled terminal, a person in the population base and an item the kiosk can take."""

import pytest

from tongban.cases.tests.factories import applicant_person
from tongban.catalog.tests.factories import published_item
from tongban.kiosk.models import KioskTerminal
from tongban.kiosk.providers.sandbox import Sandbox
from tongban.org.tests.factories import CountyCenterFactory

SECRET = "test-reader-secret"
FORM = {
    "title": "自助申请表",
    "fields": [
        {
            "key": "name",
            "type": "text",
            "label": "姓名",
            "required": True,
            "prefill": "registry.person.name",
        },
        {
            "key": "id_number",
            "type": "id_number",
            "label": "身份证号码",
            "required": True,
            "prefill": "registry.person.id_number",
        },
        {
            "key": "category",
            "type": "select",
            "label": "参保人员类别",
            "required": True,
            "options": [
                {"value": "resident", "label": "城乡居民"},
                {"value": "student", "label": "中小学生"},
            ],
        },
        {"key": "contact_phone", "type": "phone", "label": "联系电话", "required": True},
        {"key": "start", "type": "date", "label": "参保开始日期", "required": True},
        {"key": "note", "type": "text", "label": "备注"},
        {"key": "promise", "type": "checkbox", "label": "本人承诺所填内容真实", "required": True},
    ],
}
MATERIALS = [
    {
        "name": "居民身份证",
        "source": "government",
        "source_note": "公安机关",
        "copies": 1,
        "medium": "both",
        "requirement": "required",
        "condition": "",
        "license_type_code": "",
        "shared_data_item": "registry.person",
        "notes": "",
    },
    {
        "name": "其他证明",
        "source": "applicant",
        "source_note": "",
        "copies": 1,
        "medium": "paper",
        "requirement": "optional",
        "condition": "",
        "license_type_code": "",
        "shared_data_item": "",
        "notes": "",
    },
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reader(settings):
    """The simulated reader, and the settings pointing the sandbox provider at it."""
    sandbox = Sandbox(SECRET).start()
    settings.KIOSK_READER_PROVIDER = "sandbox"
    settings.KIOSK_READER_PROVIDERS = {
        **settings.KIOSK_READER_PROVIDERS,
        "sandbox": {"type": "sandbox", "url": sandbox.url, "app_secret": SECRET, "timeout": 2},
    }
    yield sandbox
    sandbox.stop()


@pytest.fixture
def terminal(db):
    return KioskTerminal.objects.create(
        code="ZZ-KIOSK-T1", name="测试自助终端", center=CountyCenterFactory()
    )


@pytest.fixture
def person(db):
    """An L2 person account whose ID number the population base knows (name 王小明)."""
    return applicant_person()


@pytest.fixture
def kiosk_item(db):
    return published_item(name="城乡居民医保参保登记(自助)", form_schema=FORM, materials=MATERIALS)
