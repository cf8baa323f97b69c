"""Access-harness rows of the applicant pages and API operations, merged into ``table.TABLE``.

The harness case was filed by ``person_l2`` and is not accepted yet: it has no receipt, so
the receipt answers 404 to everyone who signs in (tongban/cases/tests/test_receipts.py and
tongban/portal/tests/test_applicant.py show the applicant and the department's staff get it
once the case is accepted). ``agent`` and ``legal_rep`` act for an enterprise the case is
not filed for.
"""

from tongban.tests.access import table as t

NOT_THEIRS = ("person_l1", "agent", "legal_rep")
NO_RECEIPT_YET = t.Row(dict.fromkeys(t.WEB_ACTORS, t.DENY)).but(
    t.LOGIN, "anonymous", "staff_no_totp"
)

ROWS: dict[str, "t.Row"] = {
    # Applying online needs real-name level L2 (person_l1 gets the message, 403).
    "portal:apply": t.PERSON_PAGE.but(t.DENY, "person_l1"),
    "portal:my_cases": t.PERSON_PAGE,
    "portal:my_case": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS),
    # Nothing to resubmit while the case is not awaiting supplements: back to the case page.
    "portal:resubmit": t.PERSON_PAGE.but(t.DENY, *NOT_THEIRS).via("POST"),
    "portal:receipt": NO_RECEIPT_YET,
    # Tracking without sign-in: anyone (rate-limited).
    "portal:track": t.everyone(),
    # Staff sessions pass UserAuth: their own list is empty, filing stops at the body (422).
    "POST /api/v1/cases": t.PERSON_API.but(t.ALLOW, *t.STAFF).via("POST"),
    "GET /api/v1/cases": t.PERSON_API.but(t.ALLOW, *t.STAFF),
    # The applicant, and staff who may see the case (cases.view: the department's clerk and
    # approver, supervisors).
    "GET /api/v1/cases/{number}": t.PERSON_API.but(t.DENY, *NOT_THEIRS).but(
        t.ALLOW, "clerk", "approver", "supervisor"
    ),
    "GET /api/v1/cases/{number}/receipt.pdf": t.PERSON_API.but(t.DENY, "person_l2", *NOT_THEIRS),
}
