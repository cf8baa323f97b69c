"""The person's in-app messages over the API (for mobile apps): list them, mark one read.

Cursor-paginated like every list, unread first then newest: ``{"items": [...],
"next_cursor": "..." | null}``; pass ``next_cursor`` back as ``cursor``. Another person's
message answers 404, as if it did not exist; staff accounts have no inbox here (403).
"""

import datetime
import uuid

from ninja import Field, Query, Router, Schema

from tongban.errors import PermissionDenied
from tongban.identity.apiauth import UserAuth
from tongban.identity.models import User
from tongban.notify import services
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["notify"], auth=UserAuth())


class MessageOut(Schema):
    """站内消息 / an in-app message."""

    id: int
    uid: uuid.UUID
    subject: str
    body: str
    urgent: bool
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    read: bool


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None
    unread: int


class MessagesQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _person(request):
    if request.user.kind != User.Kind.PERSON:
        raise PermissionDenied("工作人员账号没有个人消息", "Staff accounts have no inbox here")
    return request.user


def _out(message) -> dict:
    return {
        "id": message.pk,
        "uid": message.uid,
        "subject": message.subject,
        "body": message.body,
        "urgent": message.urgent,
        "created_at": message.created_at,
        "read_at": message.read_at,
        "read": message.read_at is not None,
    }


@router.get("/messages", response=MessagePage, summary="我的消息 / My messages")
def my_messages(request, query: Query[MessagesQuery]):
    user = _person(request)
    rows, next_cursor = services.inbox_page(user, cursor=query.cursor, limit=query.limit)
    return {
        "items": [_out(m) for m in rows],
        "next_cursor": next_cursor,
        "unread": services.unread_count(user),
    }


@router.post("/messages/{id}/read", response=MessageOut, summary="标为已读 / Mark read")
def mark_read(request, id: int):
    return _out(services.mark_read(_person(request), id))
