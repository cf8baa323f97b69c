"""Access-harness rows of the reviews pages and API operations, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}
