"""Access-harness rows of the logistics pages and API operations, merged into ``table.TABLE``.

The courier's callback answers only signed pushes (401 to everyone here). Tracking pages
and the desk's actions take a waybill number; the harness's ``<number>`` is its case's
number, which names no waybill: a 404 for everyone who gets that far
(tongban/logistics/tests/test_pages.py opens real ones). The pickup booking page is the
harness case's: its applicant (person_l2) and the clerks of its department may book. The
desk and the waybill admin are for the roles carrying ``logistics.view_waybill``; the
callbacks log for those reading every department (supervisors, finance staff). The admin's
objects are made inside each test (``OBJECT_PARAMS`` below, rolled back with it).
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

READERS = ("clerk", "approver", "supervisor", "finance")
EVERYWHERE = ("supervisor", "finance")
# Signed in (a person, or staff verified by TOTP), else sent to sign in.
SIGNED_IN = t.Row(dict.fromkeys(t.WEB_ACTORS, t.DENY)).but(t.LOGIN, "anonymous", "staff_no_totp")
API = t.Row(dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)).but(
    t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS
)


def _waybill(world):
    """A waybill of the harness case (made once per test)."""
    from tongban.logistics.models import Waybill

    case = world.objects["case"]
    found = Waybill.objects.filter(reference="HARNESS-D1").first()
    return found or Waybill.objects.create(
        reference="HARNESS-D1",
        provider="sandbox",
        kind="delivery",
        case=case,
        department_id=case.department_id,
        sender_name="周至县政务服务中心",
        sender_phone="029-87151234",
        sender_address="陕西省西安市周至县二曲街道政务服务中心",
        recipient_name="王小明",
        paid_by="county",
    )


def _callback(world):
    from tongban.core import clock
    from tongban.logistics.models import CourierCallback

    found = CourierCallback.objects.filter(waybill_number="HARNESS").first()
    return found or CourierCallback.objects.create(
        provider="sandbox",
        waybill_number="HARNESS",
        body="{}",
        signature_ok=False,
        outcome="bad_signature",
        received_at=clock.now(),
    )


endpoints.OBJECT_PARAMS["logistics:desk_act"] = {"action": lambda w: "cancel"}
for _model, _pick in (
    ("waybill", lambda w: _waybill(w).pk),
    ("couriercallback", lambda w: _callback(w).pk),
):
    for _page in ("change", "delete", "history"):
        endpoints.OBJECT_PARAMS[f"admin:logistics_{_model}_{_page}"] = {"object_id": _pick}
    endpoints.OBJECT_PARAMS[f"admin/logistics/{_model}/<path:object_id>/"] = {"object_id": _pick}

ROWS: dict[str, "t.Row"] = {
    "logistics:notify": t.everyone(t.LOGIN).via("POST"),
    "logistics:track": SIGNED_IN,
    "logistics:collect": SIGNED_IN.but(t.ALLOW, "person_l2", "clerk"),
    "logistics:desk": t.admin(*READERS),
    "logistics:desk_act": t.admin().via("POST"),
    "GET /api/v1/logistics/waybills": API.but(
        t.DENY, *(role for role in t.STAFF if role not in READERS)
    ),
    "GET /api/v1/logistics/waybills/{number}": API.but(t.DENY, *t.PEOPLE, *t.STAFF),
    "POST /api/v1/logistics/collections": API.via("POST"),
    **t.model_admin("logistics.waybill", view=READERS),
    **t.model_admin("logistics.couriercallback", view=EVERYWHERE),
}
