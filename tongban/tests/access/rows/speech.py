"""Access-harness rows of the speech area, merged into ``table.TABLE``: read-aloud audio and
帮办代办 booking (docs/read-aloud-and-assist.md)."""

from tongban.tests.access import table as t

# Clerks placed at a service center (window intake's door, ``cases.intake``) handle the
# bookings of their center; the harness clerk sits at the harness window's center.
ASSIST_STAFF = ("clerk",)

ROWS: dict[str, "t.Row"] = {
    # Anyone may ask for audio; the harness posts no text: 422, past access control.
    "portal:speech": t.everyone().via("POST"),
    # The booking form is for everyone, signed in or not.
    "portal:assist": t.everyone(),
    # A confirmation is shown only to the account or browser session that booked: the
    # harness booking is person_l1's.
    "portal:assist_booking": t.everyone(t.DENY).but(t.ALLOW, "person_l1"),
    "portal:workbench_assist": t.admin(*ASSIST_STAFF),
    **t.model_admin("portal.assistbooking", view=ASSIST_STAFF),
}
