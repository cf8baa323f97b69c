"""Access-harness rows of the archives pages and API operations, merged into ``table.TABLE``.

Archives are read by the staff of the case's department (clerk, approver, department
administrator), supervisors and system administrators; exported by system administrators.
The harness has no archived case: its ``<number>`` is the harness case's number, which names
no package, so opening one is a 404 for everyone who may use the archives
(tongban/archives/tests/test_pages.py shows who opens a real one).
"""

from tongban.tests.access import table as t

READERS = ("clerk", "approver", "dept_admin", "supervisor", "system_admin")
NO_PACKAGE = t.admin(*READERS).but(t.DENY, *READERS)
# The API: signed-in staff (TOTP-verified session); people are refused (403), clients and
# the anonymous must sign in (401).
API = t.Row(dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)).but(
    t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS
)

ROWS: dict[str, "t.Row"] = {
    "archives:search": t.admin(*READERS),
    "archives:detail": NO_PACKAGE,
    "archives:file": NO_PACKAGE,
    "archives:package": NO_PACKAGE,
    "archives:export": t.admin("system_admin"),
    "GET /api/v1/archives": API.but(t.ALLOW, *READERS),
    "GET /api/v1/archives/{number}": API,
}
