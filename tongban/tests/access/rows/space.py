"""Access-harness rows of the space area (the person's inbox, 我的消息), merged into
``table.TABLE``. The person and enterprise space pages themselves are rows of ``table.py``.

The harness message is an in-app message to ``person_l2``, made inside each test
(``OBJECT_PARAMS`` below, rolled back with the test): only they may mark it read; every other
person gets 404, as if it did not exist. Staff have no inbox (pages: 403, API: 403).
"""

from tongban.tests.access import endpoints
from tongban.tests.access import table as t

NOT_THEIRS = ("person_l1", "agent", "legal_rep")


def _message(world):
    """The harness message of ``person_l2`` (made once per test)."""
    from tongban.core import clock
    from tongban.notify.models import Channel, Message

    found = Message.objects.filter(idempotency_key="harness:inbox").first()
    return found or Message.objects.create(
        recipient=world.users["person_l2"],
        channel=Channel.IN_APP,
        template_code="harness.inbox",
        template_version=1,
        subject="办件已受理",
        body="您的办件已受理。",
        status=Message.Status.DELIVERED,
        idempotency_key="harness:inbox",
        created_at=clock.now(),
    )


endpoints.OBJECT_PARAMS["notify:mark_read"] = {"pk": lambda w: _message(w).pk}
endpoints.OBJECT_PARAMS["POST /api/v1/notify/messages/{id}/read"] = {"id": lambda w: _message(w).pk}

ROWS: dict[str, "t.Row"] = {
    # 我的消息: each signed-in person their own (an empty list too); staff refused.
    "notify:inbox": t.PERSON_PAGE,
    "notify:mark_all_read": t.PERSON_PAGE.via("POST"),
    "notify:mark_read": t.PERSON_PAGE.via("POST").but(t.DENY, *NOT_THEIRS),
    "GET /api/v1/notify/messages": t.PERSON_API,
    # Materials on file (reusable when applying): a real-named person's own.
    "GET /api/v1/spaces/me/materials": t.PERSON_API.but(t.DENY, "person_l1"),
    "POST /api/v1/notify/messages/{id}/read": t.PERSON_API.via("POST").but(t.DENY, *NOT_THEIRS),
}
