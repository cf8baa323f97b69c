"""Access-harness rows of the supervision pages and API operations, merged into ``table.TABLE``.

Write rows with the table's helpers, e.g. ``"cases:x": t.admin("clerk")``.
"""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {
    # 效能监察: supervisors only, in a TOTP-verified staff session.
    "portal:supervision": t.admin("supervisor"),
    # The result document: the harness case is not concluded yet, so nobody gets a PDF; the
    # applicant and the department's staff would (tongban/portal/tests/test_supervision.py).
    "portal:case_result": t.Row(dict.fromkeys(t.WEB_ACTORS, t.DENY)).but(
        t.LOGIN, "anonymous", "staff_no_totp"
    ),
}
