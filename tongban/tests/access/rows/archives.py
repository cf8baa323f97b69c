"""Access-harness rows of the archives pages and API operations, merged into ``table.TABLE``.

Write rows with the table's helpers, e.g. ``"archives:x": t.admin("clerk")``.
"""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}
