"""Access-harness rows of the 一件事一次办 pages and API operations, merged into ``table.TABLE``.

The pages and API name a published bundle (code ``harness-pages``, over the harness item)
and a filing of it by ``person_l2`` (``HARNESS-BUNDLE-P``); both are made inside each test
(``OBJECT_PARAMS`` below, rolled back with the test), as the world holds no bundle.
``agent`` and ``legal_rep`` act for an enterprise the filing is not for.
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

NOT_THEIRS = ("person_l1", "agent", "legal_rep")


def _published(world):
    """A published bundle over the harness item (made once per test)."""
    from tongban.bundles.models import Bundle, BundleItem

    bundle, made = Bundle.objects.get_or_create(
        code="harness-pages",
        version=1,
        defaults={"name": "演练一件事", "promised_days": 5, "status": Bundle.Status.PUBLISHED},
    )
    if made:
        BundleItem.objects.create(bundle=bundle, item=world.objects["item"], order=1)
    return bundle


def _filing(world):
    """A filing of the published bundle by ``person_l2``; its item waits (no child case)."""
    from tongban.bundles.models import BundleCase, BundleChild
    from tongban.core import clock

    bundle = _published(world)
    filing, made = BundleCase.objects.get_or_create(
        number="HARNESS-BUNDLE-P",
        defaults={
            "bundle": bundle,
            "applicant": world.users["person_l2"],
            "channel": "web",
            "submitted_at": clock.now(),
        },
    )
    if made:
        BundleChild.objects.create(bundle_case=filing, bundle_item=bundle.items.get())
    return filing


for _key in (
    "bundles:detail",
    "GET /api/v1/bundles/{code}",
    "POST /api/v1/bundles/{code}/cases",
):
    endpoints.OBJECT_PARAMS[_key] = {"code": lambda w: _published(w).code}
for _key in (
    "bundles:my_case",
    "bundles:receipt",
    "GET /api/v1/bundles/cases/{number}",
    "GET /api/v1/bundles/cases/{number}/receipt.pdf",
):
    endpoints.OBJECT_PARAMS[_key] = {"number": lambda w: _filing(w).number}

ROWS: dict[str, "t.Row"] = {
    # --- pages (helper: pages) ---
    # The published bundles and one bundle's questionnaire, form and materials: anyone
    # (filing is a POST of that page, refused below L2: tongban/bundles/tests/test_pages.py).
    "bundles:index": t.everyone(),
    "bundles:detail": t.everyone(),
    # 我的一件事 and one filing's progress: the applicant only (404 to anyone else).
    "bundles:my_cases": t.PERSON_PAGE,
    "bundles:my_case": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS),
    "bundles:receipt": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS),
    "GET /api/v1/bundles": t.api(),
    "GET /api/v1/bundles/{code}": t.api(),
    # Without a body: 422 to every signed-in account (staff are refused once a body is
    # given: test_api.py); anonymous and API clients, 401.
    "POST /api/v1/bundles/{code}/cases": t.PERSON_API.but(t.ALLOW, *t.STAFF).via("POST"),
    "GET /api/v1/bundles/cases/{number}": t.PERSON_API.but(t.DENY, *NOT_THEIRS),
    "GET /api/v1/bundles/cases/{number}/receipt.pdf": t.PERSON_API.but(t.DENY, *NOT_THEIRS),
    # --- end pages ---
    # --- admin (helper: admin) ---
    # Bundles are built and published by the catalog administrator; filings are read by
    # staff of a department handling one of their items and by supervisors. The harness
    # objects (a draft bundle over the harness item, a filing of person_l2) are made in
    # each test: see ``_admin_objects`` below.
    **t.model_admin(
        "bundles.bundle",
        view=("catalog_admin",),
        add=("catalog_admin",),
        change=("catalog_admin",),
        delete=("catalog_admin",),
    ),
    **t.model_admin("bundles.bundlecase", view=("clerk", "approver", "supervisor")),
    # --- end admin ---
}


# --- admin (helper: admin) ---
def _admin_bundle(world):
    """A draft bundle over the harness item (made once per test)."""
    from tongban.bundles.models import Bundle, BundleItem

    bundle, made = Bundle.objects.get_or_create(
        code="harness", version=1, defaults={"name": "演练一件事", "promised_days": 5}
    )
    if made:
        BundleItem.objects.create(bundle=bundle, item=world.objects["item"], order=1)
    return bundle


def _admin_filing(world):
    """A filing of ``person_l2`` with one item in the harness department."""
    from tongban.bundles.models import BundleCase, BundleChild
    from tongban.core import clock

    bundle = _admin_bundle(world)
    filing, made = BundleCase.objects.get_or_create(
        number="HARNESS-BUNDLE-1",
        defaults={
            "bundle": bundle,
            "applicant": world.users["person_l2"],
            "channel": "web",
            "submitted_at": clock.now(),
        },
    )
    if made:
        BundleChild.objects.create(bundle_case=filing, bundle_item=bundle.items.get())
    return filing


def _admin_objects():
    from tongban.tests.access import endpoints

    pages = ("change", "delete", "history")
    for model, make in (("bundle", _admin_bundle), ("bundlecase", _admin_filing)):
        keys = [f"admin:bundles_{model}_{page}" for page in pages]
        keys.append(f"admin/bundles/{model}/<path:object_id>/")
        for key in keys:
            endpoints.OBJECT_PARAMS[key] = {"object_id": lambda w, make=make: make(w).pk}


_admin_objects()
# --- end admin ---
