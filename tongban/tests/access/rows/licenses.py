"""Access-harness rows of the licenses pages and API operations, merged into ``table.TABLE``.

Verification is public: the page, the identifier page (a license of the harness department,
valid, without a PDF: 200) and the API (a POST without a file: 422) answer everyone alike.
The license catalog's admin is the catalog and system administrators'; the register's
read-only admin is the issuing department's approvers and administrators' and the
supervisors'. The world holds no license: the harness type and license are made inside each
test (``OBJECT_PARAMS`` below, rolled back with it).
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

TYPE_KEEPERS = ("catalog_admin", "system_admin")
REGISTER_READERS = ("approver", "dept_admin", "supervisor")


def _license(world):
    """A license of the harness department (made once per test)."""
    from tongban.licenses.models import License
    from tongban.licenses.tests.factories import LicenseFactory

    found = License.objects.filter(serial="HARNESSV").first()
    return found or LicenseFactory(issuer=world.objects["department"], serial="HARNESSV")


for _key in ("licenses:verify_identifier", "GET /api/v1/licenses/verify/{identifier}"):
    endpoints.OBJECT_PARAMS[_key] = {"identifier": lambda w: _license(w).identifier}
for _model, _pick in (
    ("licensetype", lambda w: _license(w).license_type_id),
    ("license", lambda w: _license(w).pk),
):
    for _page in ("change", "delete", "history"):
        endpoints.OBJECT_PARAMS[f"admin:licenses_{_model}_{_page}"] = {"object_id": _pick}
    endpoints.OBJECT_PARAMS[f"admin/licenses/{_model}/<path:object_id>/"] = {"object_id": _pick}

ROWS: dict[str, "t.Row"] = {
    # 证照核验: public, no sign-in; answers are rate-limited per client address.
    "licenses:verify": t.everyone(),
    "licenses:verify_identifier": t.everyone(),
    "GET /api/v1/licenses/verify/{identifier}": t.api(),
    "POST /api/v1/licenses/verify-pdf": t.api().via("POST"),
    **t.model_admin(
        "licenses.licensetype", add=TYPE_KEEPERS, change=TYPE_KEEPERS, delete=TYPE_KEEPERS
    ),
    **t.model_admin("licenses.license", view=REGISTER_READERS),
}
