"""Access-harness rows of the workbench pages and API operations, merged into ``table.TABLE``.

Write rows with the table's helpers, e.g. ``"cases:x": t.admin("clerk")``.
"""

from tongban.tests.access import table as t

# Staff who may see cases (cases.view_case): clerks and approvers within their departments,
# supervisors everywhere. The harness case is in the harness department.
CASE_STAFF = ("clerk", "approver", "supervisor")

ROWS: dict[str, "t.Row"] = {
    "portal:workbench": t.admin(*CASE_STAFF),
    "portal:workbench_case": t.admin(*CASE_STAFF),
    "portal:workbench_material": t.admin(*CASE_STAFF),
    # The harness asks to accept the submitted harness case: a clerk may (cases.accept);
    # approvers and supervisors see it but may not accept (403).
    "portal:workbench_act": t.admin("clerk").via("POST"),
    # Window intake: a clerk placed at a service center (the harness clerk is).
    "portal:workbench_intake": t.admin("clerk"),
}
