"""Test data for logistics: a case to be posted, concluded; staff of its department; and
signed tracking pushes as a courier sends them.

    case = posted_case()                 # concluded, delivery by post, applicant with a phone
    waybill = services.ship_result(case) # booked with the sandbox (fixture ``courier``)
"""

import datetime
import itertools
import json

from django.conf import settings

from tongban.cases import results, services
from tongban.cases.models import DeliveryMethod, ResultType
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)
from tongban.core import httpsign as signing

ADDRESS = "周至县二曲街道文昌路88号"
CHINA = datetime.timezone(datetime.timedelta(hours=8))
_phones = itertools.count(1)


def phone() -> str:
    return f"139{next(_phones):08d}"


def filed_case(*, address: str = ADDRESS, with_phone: bool = True, delivery: str = "post"):
    """A case filed online by an applicant with a phone, to be posted to ``address``."""
    item = form_item()
    applicant = applicant_person(phone=phone() if with_phone else "")
    extra = {"delivery": delivery}
    if delivery == DeliveryMethod.POST:
        extra["delivery_address"] = address
    return file_case(item, applicant, **extra)


def posted_case(**kwargs):
    """Filed (as ``filed_case``), accepted, approved and concluded to be posted. The
    conclusion's on-commit work (``case_concluded``) does not run here."""
    case = filed_case(**kwargs)
    item = case.item
    approver = approver_of(item)
    case = services.accept(case, by=clerk_of(item))
    case = services.approve(case, by=approver)
    return results.conclude_with_result(
        case, by=approver, result_type=ResultType.APPROVAL, delivery=case.delivery_method
    )


def push(waybill, sequence: int, code: str, *, event_id: str | None = None, at=None, **more):
    """The JSON body of one tracking push for ``waybill``."""
    at = at or datetime.datetime(2026, 3, 2, 10, 0, tzinfo=CHINA) + datetime.timedelta(
        hours=sequence
    )
    return json.dumps(
        {
            "waybill_no": waybill.number,
            "reference": waybill.reference,
            "event_id": event_id or f"{waybill.number}-{sequence}",
            "sequence": sequence,
            "code": code,
            "description": more.pop("description", f"轨迹 {code}"),
            "location": more.pop("location", "西安市周至县"),
            "at": at.isoformat(),
            **more,
        },
        ensure_ascii=False,
    ).encode()


def signed_headers(path: str, body: bytes, *, secret: str | None = None, key: str | None = None):
    """Headers as the test client takes them (``HTTP_…``), signed like the sandbox does."""
    options = settings.LOGISTICS_PROVIDERS["sandbox"]
    raw = signing.headers(
        key or options["customer_code"],
        secret or options["app_secret"],
        "POST",
        path,
        body,
    )
    return {
        f"HTTP_{name.upper().replace('-', '_')}": value
        for name, value in raw.items()
        if name != "Content-Type"
    }
