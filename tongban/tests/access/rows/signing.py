"""Access-harness rows of the signing pages and API operations, merged into ``table.TABLE``.

The CA, the seals and the seal-use log: read-only admin pages of the system administrator,
who alone revokes a seal (tongban/signing/rules.py).
"""

from tongban.tests.access import table as t

ROWS: dict[str, "t.Row"] = {
    **t.model_admin("signing.authority", view=t.SYSADMIN),
    **t.model_admin("signing.seal", view=t.SYSADMIN),
    **t.model_admin("signing.sealuse", view=t.SYSADMIN),
    "admin:signing_seal_picture": t.admin(*t.SYSADMIN),
    "admin:signing_seal_revoke": t.admin(*t.SYSADMIN),
}
