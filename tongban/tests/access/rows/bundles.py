"""Access-harness rows of the 一件事一次办 pages and API operations, merged into ``table.TABLE``.

Write rows with the table's helpers, e.g. ``"bundles:x": t.everyone()``.
"""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}
