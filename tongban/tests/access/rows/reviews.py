"""Access-harness rows of the reviews pages and API operations, merged into ``table.TABLE``.

- The applicant's rating page: the harness case is ``person_l2``'s and not concluded, so
  they get the page (saying it cannot be rated yet); other people a 404; staff the
  person pages' refusal.
- The window pad (QR target) and the statistics are public.
- The rectification desk: the harness department's clerk, approver, department
  administrator, and supervisors; the appeal queue: supervisors only.
- The harness rectification (made inside each test, ``OBJECT_PARAMS`` below) is of a bad
  review ``person_l2`` gave the harness case: its desk page answers the department's staff
  and supervisors, its reviewer page ``person_l2`` only.
- Admin: read-only, for the same readers (their department's rows; supervisors all).
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

NOT_THEIRS = ("person_l1", "agent", "legal_rep")
READERS = ("clerk", "approver", "dept_admin", "supervisor")
API = t.Row(dict.fromkeys((*t.WEB_ACTORS, *t.GATEWAY_ACTORS), t.DENY)).but(
    t.LOGIN, "anonymous", "staff_no_totp", *t.GATEWAY_ACTORS
)


def _rectification(world):
    """A rectification of a bad review of the harness case by its applicant (made once per
    test, written directly: the case is not concluded)."""
    from tongban.core import clock
    from tongban.reviews.models import Rectification, Review

    found = Rectification.objects.filter(review__comment="harness").first()
    if found is not None:
        return found
    case = world.objects["case"]
    review = Review.objects.create(
        kind="case",
        channel="web",
        case=case,
        department=case.department,
        level=1,
        comment="harness",
        real_name=True,
        reviewer=case.applicant,
        at=clock.now(),
    )
    return Rectification.objects.create(
        review=review,
        department=case.department,
        visit_due=clock.today(),
        rectify_due=clock.today(),
        opened_at=clock.now(),
    )


endpoints.OBJECT_PARAMS["reviews:window"] = {"pk": lambda w: w.objects["window"].pk}
for _key in ("reviews:rectification", "reviews:mine"):
    endpoints.OBJECT_PARAMS[_key] = {"pk": lambda w: _rectification(w).pk}
for _model, _pick in (
    ("review", lambda w: _rectification(w).review_id),
    ("rectification", lambda w: _rectification(w).pk),
):
    for _page in ("change", "delete", "history"):
        endpoints.OBJECT_PARAMS[f"admin:reviews_{_model}_{_page}"] = {"object_id": _pick}
    endpoints.OBJECT_PARAMS[f"admin/reviews/{_model}/<path:object_id>/"] = {"object_id": _pick}

ROWS: dict[str, "t.Row"] = {
    "reviews:case": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS),
    "reviews:window": t.everyone(),
    "reviews:stats": t.everyone(),
    "reviews:desk": t.admin(*READERS),
    "reviews:appeals": t.admin("supervisor"),
    "reviews:rectification": t.admin(*READERS),
    "reviews:mine": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS),
    # Staff sessions pass UserAuth and stop at the missing body (422), as filing a case does.
    "POST /api/v1/reviews": t.PERSON_API.but(t.ALLOW, *t.STAFF).via("POST"),
    "GET /api/v1/reviews/stats": t.api(),
    "GET /api/v1/reviews/rectifications": API.but(t.ALLOW, *READERS),
    **t.model_admin("reviews.review", view=READERS),
    **t.model_admin("reviews.rectification", view=READERS),
}
