"""The audit log's public functions: every app records through ``record``.

A record is appended inside the caller's transaction, so the change and its record commit
or roll back together (DESIGN.md §6)::

    with transaction.atomic():
        before = audit.snapshot(department)
        department.name = new_name
        department.save()
        audit.record(clerk, "org.department.update", department,
                     changes=audit.diff(before, audit.snapshot(department)))
"""

import datetime
import decimal
import ipaddress
import json
import re
import uuid
import zlib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from tongban.audit.models import AuditRecord, ChainHead
from tongban.audit.verification import (
    ChainBreak,
    VerifyResult,
    anchors,
    check_anchors,
    verify,
)
from tongban.core import clock
from tongban.errors import InvalidInput

__all__ = [
    "HIDDEN_FIELDS",
    "ChainBreak",
    "VerifyResult",
    "anchors",
    "check_anchors",
    "diff",
    "partition_for",
    "record",
    "snapshot",
    "verify",
]

ACTION_PATTERN = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")
# Values never written into the log; a change to them shows as ["***", "***"].
HIDDEN_FIELDS = frozenset({"password"})
MASK = "***"


def record(
    actor,
    action: str,
    obj: Model | None = None,
    *,
    changes: dict | None = None,
    note: str = "",
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
    request=None,
) -> AuditRecord:
    """Append who did what to which object, and what changed, to the object's chain.

    ``actor`` is an account, ``None``/anonymous for the public, or a string naming a system
    process ("worker"). Explicit ``object_*`` arguments override what ``obj`` gives. Call it
    inside the transaction that makes the change.
    """
    entry = AuditRecord(
        actor=_account(actor),
        actor_repr=_clip(_actor_repr(actor), 255),
        action=_checked_action(action),
        object_type=_clip(_given(object_type) or _object_type(obj), 100),
        object_id=_clip(_given(object_id) or _object_id(obj), 64),
        object_repr=_clip(_given(object_repr) or _object_repr(obj), 255),
        changes=_json_safe_changes(changes or {}),
        note=note,
        ip=_client_ip(request),
        request_id=_request_id(request),
        algorithm=settings.AUDIT_HASH_ALGORITHM,
    )
    entry.partition = _pinned(partition_for(entry.object_type, entry.object_id, entry.actor_repr))
    # No savepoint of its own: if the append fails, the caller's change must not commit.
    with transaction.atomic(savepoint=False):
        _append(entry)
    return entry


def partition_for(object_type: str, object_id: str, actor_repr: str = "") -> int:
    """The chain a record goes to when it opens its transaction's appends (``_pinned``):
    stable per object, so writers about different objects rarely meet on one chain head.

    Records without an object are spread by who acted.
    """
    key = f"{object_type}:{object_id}" if object_type else f"actor:{actor_repr}"
    return zlib.crc32(key.encode("utf-8")) % settings.AUDIT_CHAIN_PARTITIONS


def _pinned(partition: int) -> int:
    """The chain of the transaction's first record, for every record of that transaction.

    A transaction that appended to two chains would hold two chain-head row locks, taken in
    the order of its records; two such transactions in opposite orders deadlock (seen at
    16 concurrent intakes on PostgreSQL: a case and its notice in different chains). One
    chain per transaction holds one head lock, so no cycle can form. The pin lives on the
    (per-thread) connection, keyed by the outermost atomic block that is not a test's.
    """
    connection = transaction.get_connection()
    block = next((b for b in connection.atomic_blocks if not b._from_testcase), None)
    if block is None:
        return partition
    pin = getattr(connection, "tongban_audit_pin", None)
    if pin is not None and pin[0] is block:
        return pin[1]
    connection.tongban_audit_pin = (block, partition)
    return partition


def snapshot(instance: Model, fields: Iterable[str] | None = None) -> dict:
    """JSON-safe values of the instance's concrete fields (foreign keys as their ids)."""
    wanted = set(fields) if fields is not None else None
    return {
        field.name: _json_safe(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if wanted is None or field.name in wanted
    }


def diff(before: dict, after: dict, *, hidden: Iterable[str] = HIDDEN_FIELDS) -> dict:
    """``{"field": [old, new]}`` for every field whose value differs; hidden values masked."""
    hidden = frozenset(hidden)
    changes = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in hidden:
            old, new = _mask(old), _mask(new)
        changes[name] = [old, new]
    return changes


def _append(entry: AuditRecord) -> None:
    """Link the entry to its chain under the chain head's row lock, then move the head."""
    head, _created = ChainHead.objects.select_for_update().get_or_create(partition=entry.partition)
    entry.at = clock.now()
    entry.seq = head.seq + 1
    entry.prev_hash = head.hash
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    ChainHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)


def _account(actor):
    if isinstance(actor, Model) and getattr(actor, "is_authenticated", False):
        return actor
    return None


def _actor_repr(actor) -> str:
    if actor is None:
        return ""
    if isinstance(actor, str):
        return actor
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    username = actor.get_username()
    return f"{username}({full_name})" if full_name else username


def _checked_action(action: str) -> str:
    if not isinstance(action, str) or len(action) > 100 or not ACTION_PATTERN.match(action):
        raise InvalidInput(
            fields={
                "action": [
                    "操作名应为以点分隔的小写英文,如 case.accept / "
                    "action must be dotted lowercase words, e.g. case.accept"
                ]
            }
        )
    return action


def _given(value) -> str:
    return "" if value is None else str(value)


def _object_type(obj: Model | None) -> str:
    return obj._meta.label_lower if obj is not None else ""


def _object_id(obj: Model | None) -> str:
    if obj is None:
        return ""
    if obj.pk is None:
        raise ValueError("record an object after saving it (or before deleting it)")
    return str(obj.pk)


def _object_repr(obj: Model | None) -> str:
    return str(obj) if obj is not None else ""


def _client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR; a proxy must pass the real one on)."""
    raw = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


def _request_id(request) -> str:
    if request is None:
        return ""
    return _clip(getattr(request, "request_id", "") or request.headers.get("X-Request-ID", ""), 64)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _mask(value):
    return None if value is None else MASK


def _json_default(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_safe(value):
    """The value as it will be read back from the JSON column, so its hash stays valid."""
    return json.loads(json.dumps(value, default=_json_default, allow_nan=False))


def _json_safe_changes(changes: dict) -> dict:
    try:
        return _json_safe(changes)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            fields={"changes": [f"变更内容无法保存为 JSON / changes are not JSON-safe: {exc}"]}
        ) from exc
