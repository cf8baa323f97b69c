"""Access-harness rows of the portal's display modes, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {
    # The elderly-mode switch is a cookie anyone may set (before sign-in too).
    "portal:switch_elder": t.everyone().via("POST"),
}
