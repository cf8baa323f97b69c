"""Access-harness rows of the payments pages and API operations, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

# --- core (orders, callbacks)
# The harness order: the L2 person's harness case billed 1.00 元, not yet at the channel
# (``OBJECT_PARAMS``: made inside each test, rolled back with it). Paying starts at a
# channel, so 去支付 is asked with the harness case's number (no order: 404 for everyone
# signed in; tongban/payments/tests/test_pages.py and test_api.py pay real ones).
NOT_THE_PAYER = ("person_l1", "agent", "legal_rep")
ORDER_READERS = ("clerk", "approver", "finance", "supervisor")

from tongban.tests.access import endpoints  # noqa: E402  (inside the core block)


def _order(world):
    from tongban.payments.models import Callback, PaymentOrder

    found = PaymentOrder.objects.filter(number="JFHARNESS000001").first()
    if found is None:
        case = world.objects["case"]
        found = PaymentOrder.objects.create(
            number="JFHARNESS000001",
            case=case,
            department=case.department,
            payer=case.applicant,
            payer_name="王小明",
            amount=100,
            items=[{"code": "H", "name": "工本费", "basis": "", "amount": 100}],
            provider="sandbox",
        )
        Callback.objects.create(
            provider="sandbox", order=found, event_id="EVTHARNESS", body="{}", outcome="applied"
        )
    return found


for _key in (
    "payments:order",
    "payments:return",
    "GET /api/v1/payments/orders/{number}",
):
    endpoints.OBJECT_PARAMS[_key] = {"number": lambda w: _order(w).number}
for _model, _pick in (
    ("paymentorder", lambda w: _order(w).pk),
    ("callback", lambda w: _order(w).callbacks.get().pk),
):
    for _page in ("change", "delete", "history"):
        endpoints.OBJECT_PARAMS[f"admin:payments_{_model}_{_page}"] = {"object_id": _pick}
    endpoints.OBJECT_PARAMS[f"admin/payments/{_model}/<path:object_id>/"] = {"object_id": _pick}
CORE_ROWS: dict[str, "t.Row"] = {
    # The payer's pages: the payer; other people 404, staff 403 (person pages).
    "payments:order": t.PERSON_PAGE.but(t.DENY, *NOT_THE_PAYER),
    "payments:return": t.PERSON_PAGE.but(t.DENY, *NOT_THE_PAYER),
    "payments:pay": t.PERSON_PAGE.but(t.DENY, *t.PEOPLE).via("POST"),
    # The channel's notices: no session; an unsigned notice is refused with 401.
    "payments:notify": t.everyone(t.LOGIN).via("POST"),
    # The API: a person's own orders (staff sessions get an empty list); one order for its
    # payer and the staff who may see it; paying (no order under the case number: 404).
    "GET /api/v1/payments/orders": t.PERSON_API.but(t.ALLOW, *t.STAFF),
    "GET /api/v1/payments/orders/{number}": t.PERSON_API.but(t.DENY, *NOT_THE_PAYER).but(
        t.ALLOW, *ORDER_READERS
    ),
    "POST /api/v1/payments/orders/{number}/pay": t.PERSON_API.but(t.DENY, *t.PEOPLE).via("POST"),
    # The admin: read-only orders for the staff who may see them, callbacks for finance.
    **t.model_admin("payments.paymentorder", view=ORDER_READERS),
    **t.model_admin("payments.callback", view=("finance",)),
}
# --- end core

ROWS: dict[str, "t.Row"] = {
    # --- core (orders, callbacks)
    **CORE_ROWS,
    # --- end core
    # --- finance (refunds, reconciliation)
    # The desk: finance staff and supervisors (reading); running, resolving and deciding are
    # finance staff's. The harness has no reconciliation, refund or order: its <number> (the
    # harness case's number) names none, so those pages are a 404 for whoever passes the
    # rule (tongban/payments/tests/test_finance_pages.py opens real ones). POSTs without a
    # body: running redirects back to the desk with a message.
    "payments:finance_desk": t.admin("finance", "supervisor"),
    "payments:finance_run": t.admin("finance").via("POST"),
    "payments:finance_report": t.admin(),
    "payments:finance_report_xlsx": t.admin(),
    "payments:finance_resolve": t.admin().via("POST"),
    "payments:finance_refunds": t.admin("finance", "supervisor"),
    "payments:finance_refund_decide": t.admin().via("POST"),
    "payments:refund_request": t.admin(),
    # The API: signed-in staff (401 for the anonymous, clients and staff without TOTP); a
    # POST without its JSON body is refused (422) before the rule is asked.
    "GET /api/v1/payments/reconciliations": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)
    )
    .but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS)
    .but(t.ALLOW, "finance", "supervisor"),
    "POST /api/v1/payments/reconciliations": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)
    )
    .but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS)
    .via("POST"),
    "GET /api/v1/payments/reconciliations/{number}": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)
    ).but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS),
    "POST /api/v1/payments/reconciliations/{number}/resolutions": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)
    )
    .but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS)
    .via("POST"),
    "GET /api/v1/payments/refunds": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)
    ).but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS),
    "POST /api/v1/payments/refunds": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)
    )
    .but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS)
    .via("POST"),
    "GET /api/v1/payments/refunds/{number}": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)
    ).but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS),
    "POST /api/v1/payments/refunds/{number}/decision": t.Row(
        dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.ALLOW)
    )
    .but(t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS)
    .via("POST"),
    # The admin: read-only; finance staff resolve discrepancies there too.
    **t.model_admin("payments.refund", view=("clerk", "approver", "finance", "supervisor")),
    **t.model_admin("payments.statement", view=("finance",)),
    **t.model_admin("payments.reconciliation", view=("finance", "supervisor")),
    **t.model_admin("payments.discrepancy", change=("finance",)),
    # --- end finance
}
