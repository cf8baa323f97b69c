"""The sandbox courier over HTTP: signatures, idempotent booking, controls, its page."""

import json
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tongban.logistics.providers import registry
from tongban.logistics.providers.base import PermanentError, RetryableError, Shipment

PARTY = {"name": "王小明", "phone": "13912345678", "province": "陕西省", "city": "西安市",
         "county": "周至县", "detail": "哑柏镇东街村3组"}  # fmt: skip


def shipment(reference: str = "TB-1-D1") -> Shipment:
    return Shipment(reference, "delivery", PARTY, PARTY, "sender", "")


def post(url: str, data: bytes, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_booking_is_idempotent_by_reference(courier):
    provider = registry.get("sandbox")
    first = provider.book(shipment())
    again = provider.book(shipment())
    assert again.number == first.number and again.duplicate and courier.duplicates == 1
    assert provider.book(shipment("TB-1-D2")).number != first.number


def test_an_unsigned_caller_is_refused(courier, settings):
    settings.LOGISTICS_PROVIDERS = {
        **settings.LOGISTICS_PROVIDERS,
        "sandbox": {**settings.LOGISTICS_PROVIDERS["sandbox"], "app_secret": "wrong"},
    }
    with pytest.raises(PermanentError, match="SIGNATURE_INVALID"):
        registry.get("sandbox").book(shipment())
    assert courier.refused == 1 and not courier.waybills


def test_down_over_http_makes_calls_retryable_until_recovered(courier):
    assert post(courier.url + "/control/down", b"{}") == 200
    with pytest.raises(RetryableError, match="503"):
        registry.get("sandbox").book(shipment())
    assert post(courier.url + "/control/recover", b"{}") == 200
    assert registry.get("sandbox").book(shipment()).number


def test_the_page_lists_waybills_and_its_buttons_advance_them(courier):
    number = registry.get("sandbox").book(shipment()).number
    with urllib.request.urlopen(courier.url + "/", timeout=5) as response:
        page = response.read().decode()
    assert number in page and "签收" in page
    form = f"number={number}&to=picked_up".encode()
    assert post(courier.url + "/control/advance", form, "application/x-www-form-urlencoded") == 200
    tracks = registry.get("sandbox").tracks(number)
    assert [(t.sequence, t.code) for t in tracks] == [(1, "PICKED_UP")]


def test_advance_over_http_answers_with_its_pushes(courier):
    number = registry.get("sandbox").book(shipment()).number
    body = json.dumps({"number": number, "to": "in_transit"}).encode()
    request = urllib.request.Request(
        courier.url + "/control/advance", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response) == {"code": "OK", "pushes": [0]}  # no callback URL given
    assert post(courier.url + "/control/advance", b'{"number": "nope", "to": "x"}') == 400


def test_a_picked_up_parcel_cannot_be_cancelled(courier):
    provider = registry.get("sandbox")
    number = provider.book(shipment()).number
    courier.advance(number, "picked_up")
    with pytest.raises(PermanentError, match="ALREADY_PICKED_UP"):
        provider.cancel(number)


def test_the_real_courier_without_a_url_waits_rather_than_failing():
    options = {**settings.LOGISTICS_PROVIDERS["courier_http"], "url": ""}
    from tongban.logistics.providers.courier_http import HttpCourierProvider

    with pytest.raises(RetryableError):
        HttpCourierProvider("courier_http", options).book(shipment())
