"""Access-harness rows of the wallet (my licenses, 扫码亮证), merged into ``table.TABLE``.

Write rows with the table's helpers, e.g. ``"licenses:wallet": t.admin("clerk")``.
"""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}
