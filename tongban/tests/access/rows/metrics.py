"""Access-harness rows of the metrics pages and API operations, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}

# --- ledger
# The ledger (工作任务台账) is read by supervisors and by the department administrators of a
# task's units; only those administrators report; supervisors keep the tasks (the admin).
# The harness task: task 1 of a "harness" plan led by the harness department (made inside
# each test, rolled back with it), so its department administrator reads and reports on it.
# Its evidence download is asked without an ``id``: a 404 for everyone who reads the task.
from tongban.tests.access import endpoints  # noqa: E402  (inside the ledger block)

LEDGER_READERS = ("dept_admin", "supervisor")
LEDGER_API = t.Row(dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)).but(
    t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS
)


def _ledger_task(world):
    import datetime

    from tongban.metrics.models import LedgerTask

    found = LedgerTask.objects.filter(plan="harness", number=1).first()
    if found is None:
        found = LedgerTask.objects.create(
            plan="harness",
            number=1,
            title="harness",
            content="harness",
            lead_text="harness",
            deadline=datetime.date(2026, 12, 31),
        )
        found.lead_units.set([world.objects["department"]])
    return found


for _key in (
    "metrics:ledger_task",
    "metrics:ledger_report",
    "metrics:ledger_evidence",
    "GET /api/v1/metrics/ledger/{number}",
):
    endpoints.OBJECT_PARAMS[_key] = {"number": lambda w: _ledger_task(w).number}
for _page in ("change", "delete", "history"):
    endpoints.OBJECT_PARAMS[f"admin:metrics_ledgertask_{_page}"] = {
        "object_id": lambda w: _ledger_task(w).pk
    }
endpoints.OBJECT_PARAMS["admin/metrics/ledgertask/<path:object_id>/"] = {
    "object_id": lambda w: _ledger_task(w).pk
}
ROWS.update(
    {
        "metrics:ledger": t.admin(*LEDGER_READERS),
        "metrics:ledger_export": t.admin(*LEDGER_READERS),
        "metrics:ledger_task": t.admin(*LEDGER_READERS),
        "metrics:ledger_report": t.admin(*LEDGER_READERS).but(t.DENY, "supervisor"),
        "metrics:ledger_evidence": t.admin(*LEDGER_READERS).but(t.DENY, *LEDGER_READERS),
        "GET /api/v1/metrics/ledger": LEDGER_API.but(t.ALLOW, *LEDGER_READERS),
        "GET /api/v1/metrics/ledger/{number}": LEDGER_API.but(t.ALLOW, *LEDGER_READERS),
        **t.model_admin(
            "metrics.ledgertask", view=("dept_admin",), add=("supervisor",), change=("supervisor",)
        ),
    }
)
# --- end ledger

# --- dashboard
# The self-evaluation dashboard, its drill-downs, Excel exports, the PDF report and the
# indicators API are for supervisors (``metrics.view_dashboard``); everyone else is refused.
# The drill-down is asked for 全程网办率 (``online_full``).
DASHBOARD_READERS = ("supervisor",)
DASHBOARD_API = t.Row(dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)).but(
    t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS
)
endpoints.OBJECT_PARAMS["metrics:indicator_gap"] = {"code": lambda w: "online_full"}
ROWS.update(
    {
        "metrics:dashboard": t.admin(*DASHBOARD_READERS),
        "metrics:indicator_gap": t.admin(*DASHBOARD_READERS),
        "metrics:export_indicators": t.admin(*DASHBOARD_READERS),
        "metrics:export_departments": t.admin(*DASHBOARD_READERS),
        "metrics:export_towns": t.admin(*DASHBOARD_READERS),
        "metrics:export_assessment": t.admin(*DASHBOARD_READERS),
        "metrics:report": t.admin(*DASHBOARD_READERS),
        "GET /api/v1/metrics/indicators": DASHBOARD_API.but(t.ALLOW, *DASHBOARD_READERS),
    }
)
# --- end dashboard
