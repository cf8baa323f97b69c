import pytest

from tongban.errors import InvalidInput
from tongban.logistics import addresses
from tongban.logistics.addresses import Address


def test_an_address_in_the_county_gets_its_province_and_city():
    found = addresses.parse("周至县二曲街道文昌路88号")
    assert found == Address("陕西省", "西安市", "周至县", "二曲街道文昌路88号")


def test_an_address_starting_with_a_town_is_in_the_county():
    assert addresses.parse("哑柏镇东街村3组").county == "周至县"


def test_a_full_address_elsewhere_splits_into_its_parts():
    found = addresses.parse("江苏省 南京市 玄武区 中山路18号")
    assert found == Address("江苏省", "南京市", "玄武区", "中山路18号")


def test_a_municipality_is_its_own_city():
    found = addresses.parse("上海市浦东新区世纪大道100号")
    assert (found.province, found.city, found.county) == ("上海市", "上海市", "浦东新区")
    assert found.full == "上海市浦东新区世纪大道100号"


def test_a_county_address_must_name_its_town():
    errors = addresses.address_errors(addresses.parse("周至县文昌路88号"))
    assert "镇(街道)" in errors["detail"][0]


def test_a_line_without_province_or_county_is_refused_part_by_part():
    errors = addresses.address_errors(addresses.parse("文昌路88号"))
    assert set(errors) == {"province", "city", "county"}
    assert errors["province"][0].startswith("请填写")


def test_a_party_is_checked_field_by_field_chinese_first():
    with pytest.raises(InvalidInput) as caught:
        addresses.party("", "2380000111", Address("", "西安市", "周至县", "x" * 121))
    fields = caught.value.fields
    assert set(fields) == {"name", "phone", "province", "detail"}
    assert fields["phone"][0].startswith("手机号码应为以1开头的11位数字 / ")
    assert "120" in fields["detail"][0]


def test_a_good_party_comes_back_cleaned():
    party = addresses.party(" 王小明 ", "139 0000 0001", addresses.parse("周至县哑柏镇东街村3组"))
    assert (party.name, party.phone) == ("王小明", "13900000001")
