"""Access-harness rows of the pwa area, merged into ``table.TABLE``."""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {
    # The installable web app: public files every visitor's browser fetches (docs/mobile.md).
    "portal:manifest": t.everyone(),
    "portal:service_worker": t.everyone(),
    "portal:offline": t.everyone(),
}
