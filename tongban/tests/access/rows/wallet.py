"""Access-harness rows of the wallet (my licenses, 扫码亮证), merged into ``table.TABLE``.

The harness license is held by ``person_l2`` (valid, no PDF yet); the scan URLs carry a
fresh single-use show token of it. Both are made inside each test (``OBJECT_PARAMS`` below,
rolled back with the test), as the world holds no license. ``agent`` and ``legal_rep`` act
for an enterprise that does not hold it; staff reach no wallet (person pages: 403, person
API: 404 for a license that is not theirs).
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

NOT_THEIRS = ("person_l1", "agent", "legal_rep")
HOLDER_PAGE = t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS)
HOLDER_API = t.PERSON_API.but(t.DENY, *NOT_THEIRS)


def _license(world):
    """The harness license of ``person_l2`` (made once per test)."""
    from tongban.licenses.models import License
    from tongban.licenses.tests.factories import LicenseFactory

    holder = world.users["person_l2"]
    found = License.objects.filter(holder_user=holder, serial="HARNESS1").first()
    return found or LicenseFactory(
        holder_user=holder, issuer=world.objects["department"], serial="HARNESS1"
    )


def _token(world) -> str:
    from tongban.licenses import showing

    license = _license(world)
    return showing.signed_token(showing.create_show(license, by=license.holder_user))


def _identifier(world) -> str:
    return _license(world).identifier


for _key in (
    "licenses:wallet_detail",
    "licenses:wallet_pdf",
    "licenses:wallet_show",
    "GET /api/v1/licenses/mine/{identifier}",
    "GET /api/v1/licenses/mine/{identifier}/accesses",
    "GET /api/v1/licenses/mine/{identifier}/pdf",
    "POST /api/v1/licenses/{identifier}/show",
):
    endpoints.OBJECT_PARAMS[_key] = {"identifier": _identifier}
for _key in ("licenses:scan", "GET /api/v1/licenses/scan/{token}"):
    endpoints.OBJECT_PARAMS[_key] = {"token": _token}

ROWS: dict[str, "t.Row"] = {
    # 我的证照: a signed-in person (staff refused), each sees their own (an empty list too).
    "licenses:wallet": t.PERSON_PAGE,
    "licenses:wallet_detail": HOLDER_PAGE,
    # No PDF drawn for the harness license yet: 404 to its holder too
    # (test_wallet_pages.py downloads a real one).
    "licenses:wallet_pdf": HOLDER_PAGE.but(t.DENY, "person_l2"),
    # 亮证 (a POST without a body: a single-use token for the holder).
    "licenses:wallet_show": HOLDER_PAGE.via("POST"),
    # The scan page: anyone with the link; GET asks who is viewing, spends nothing.
    "licenses:scan": t.everyone(),
    "GET /api/v1/licenses/mine": t.PERSON_API.but(t.ALLOW, *t.STAFF),
    "GET /api/v1/licenses/mine/{identifier}": HOLDER_API,
    "GET /api/v1/licenses/mine/{identifier}/accesses": HOLDER_API,
    "GET /api/v1/licenses/mine/{identifier}/pdf": HOLDER_API.but(t.DENY, "person_l2"),
    # Without a body: 422 for the holder (past access control), 404 for anyone else.
    "POST /api/v1/licenses/{identifier}/show": HOLDER_API.via("POST"),
    # Anyone with the link: signed in, shown (200); anonymous and API clients without a
    # ``verifier`` label, 422.
    "GET /api/v1/licenses/scan/{token}": t.api(),
}
