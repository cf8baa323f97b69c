"""Access-harness rows of the kiosk area, merged into ``table.TABLE``.

No harness actor's browser is an enrolled terminal (no ``tb_kiosk`` cookie): the start screen
says so to everyone, every other kiosk page refuses (403), and ending a session is open to
all (it only signs out). Enrolment is a staff page for the system administrator (and a
department administrator posted at the terminal's center; the harness has none). The
terminal admin pages are the system administrator's.
tongban/kiosk/tests/ show the pages on an enrolled terminal.
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t


def _terminal(world):
    """A terminal at the harness window's center (made once per test)."""
    from tongban.kiosk.models import KioskTerminal

    terminal, _made = KioskTerminal.objects.get_or_create(
        code="HARNESS-KIOSK",
        defaults={"name": "演练终端", "center_id": world.objects["window"].center_id},
    )
    return terminal


endpoints.OBJECT_PARAMS["admin/kiosk/kioskterminal/<path:object_id>/"] = {
    "object_id": lambda w: _terminal(w).pk
}
for _key in ("change", "delete", "history"):
    endpoints.OBJECT_PARAMS[f"admin:kiosk_kioskterminal_{_key}"] = {
        "object_id": lambda w: _terminal(w).pk
    }

NOT_A_KIOSK = t.everyone(t.DENY)

ROWS: dict[str, "t.Row"] = {
    "kiosk:start": t.everyone(),
    "kiosk:enroll": t.admin("system_admin"),
    "kiosk:card": NOT_A_KIOSK,
    "kiosk:end": t.everyone().via("POST"),
    "kiosk:menu": NOT_A_KIOSK,
    "kiosk:guides": NOT_A_KIOSK,
    "kiosk:track": NOT_A_KIOSK,
    "kiosk:apply": NOT_A_KIOSK,
    "kiosk:my_cases": NOT_A_KIOSK,
    "kiosk:receipt": NOT_A_KIOSK,
    **t.model_admin(
        "kiosk.kioskterminal",
        view=t.SYSADMIN,
        add=t.SYSADMIN,
        change=t.SYSADMIN,
        delete=t.SYSADMIN,
    ),
}
