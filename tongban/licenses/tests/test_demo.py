"""The demo license catalog: every type valid, bound to the demo items, loaded once.

One test: loading the demo catalog it needs takes most of its time.
"""

import pytest

from tongban.catalog import demo as catalog_demo
from tongban.licenses import demo, identifiers
from tongban.licenses.models import LicenseType
from tongban.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_the_demo_types_are_valid_bound_to_their_items_and_loaded_once():
    org_demo.load()
    catalog_demo.load()
    assert not demo.is_loaded()
    assert "新建 7 类" in demo.load()
    assert demo.is_loaded()
    food = LicenseType.objects.get(name="食品经营许可证")
    assert {item.current_guide.name for item in food.items.all()} == {
        "食品经营许可(新办)",
        "食品经营许可(变更、延续、补办)",
    }
    for name in ("建筑工程施工许可证", "个体工商户营业执照", "公共场所卫生许可证"):
        assert LicenseType.objects.get(name=name).items.exists(), name
    for license_type in LicenseType.objects.prefetch_related("items__current_guide"):
        license_type.full_clean()
        text = identifiers.build(license_type.code, "11610124TB0000044L", "2026000001", 1)
        assert identifiers.parse(text).type_code == license_type.code
        _check_sources(license_type)
    assert "新建 0 类、更新 0 类" in demo.load()


def _check_sources(license_type):
    """Each ``form.<key>`` source names a field of the bound items' forms."""
    form_keys = set()
    for item in license_type.items.all():
        schema = item.current_guide.form_schema or {}
        form_keys |= {field["key"] for field in schema.get("fields", [])}
    for spec in license_type.fields:
        source = spec["source"]
        if source.startswith("form.") and form_keys:
            assert source.removeprefix("form.") in form_keys, (license_type.name, source)
