"""Access-harness rows of the speech area, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {}
