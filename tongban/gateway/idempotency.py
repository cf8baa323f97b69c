"""``Idempotency-Key`` for every POST that creates something (docs/api.md).

The first response to (caller, key) is stored in the same transaction as what the request
created; a retry with the same body gets that response again, a different body gets 422.
Two concurrent first attempts: the unique constraint lets one commit, the other rolls back
its work and answers with the winner's response.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction

from tongban.errors import InvalidInput
from tongban.gateway.models import IdempotencyRecord

MAX_KEY = 128


def owner_of(request) -> str:
    caller = getattr(request, "gateway_caller", None)
    if caller is not None:
        return f"client:{caller.client.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "public"


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8") + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(request, key: str, handler: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run ``handler`` once per (caller, key); it returns ``(status, JSON-ready body)``."""
    if not key or len(key) > MAX_KEY:
        raise InvalidInput(fields={"Idempotency-Key": ["幂等键应为1至128个字符 / 1–128 chars"]})
    owner, print_ = owner_of(request), fingerprint(request)
    found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if found is None:
        try:
            with transaction.atomic():
                status, body = handler()
                IdempotencyRecord.objects.create(
                    owner=owner, key=key, fingerprint=print_, status=status, body=body
                )
            return status, body
        except IntegrityError:
            found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if found is None:
                raise
    if found.fingerprint != print_:
        raise InvalidInput(
            "该幂等键已用于另一内容不同的请求,请更换幂等键",
            "This Idempotency-Key was used for a different request",
            fields={"Idempotency-Key": ["与首次请求的内容不一致 / differs from the first request"]},
        )
    return found.status, found.body
