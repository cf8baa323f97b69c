"""我的证照: the licenses a person holds, and those of the enterprises they act for.

A license's state (``services.state``) is read from its stored status and its validity
against the clock: valid, revoked, superseded (a newer version exists) or expired. The
wallet lists current versions first; a license's detail shows its PDF and the full access
log (every show, view by a verifier, verification, use for an application and download), to
the holder only (``licenses.view_own``): anyone else gets 404, as if it did not exist.
"""

import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import InvalidInput, NotFound
from tongban.identity import access
from tongban.licenses import services
from tongban.licenses.models import License, LicenseAccess
from tongban.pagination import DEFAULT_LIMIT, decode_cursor, encode_cursor

Status = License.Status
VIEW_OWN = "licenses.view_own"
NOT_FOUND = ("未找到该证照", "No such license")
LOG_LIMIT = 50


# The state is the licenses app's (``services.state``); the wallet's words for it:
State = services.State
STATE_LABELS = {
    State.VALID: _("有效"),
    State.REVOKED: _("已注销"),
    State.EXPIRED: _("已过期"),
    State.SUPERSEDED: _("已变更(有新版本)"),
}
state = services.state


def state_label(license: License) -> str:
    return str(STATE_LABELS[state(license)])


def in_force(license: License, today: datetime.date | None = None) -> bool:
    """Valid and already in effect: what may be shown or used."""
    today = today or clock.today()
    return state(license, today) == State.VALID and license.valid_from <= today


def _listed():
    return License.objects.select_related(
        "license_type", "issuer", "holder_enterprise__legal_entity"
    )


def my_licenses(user, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT):
    """One page of the licenses ``user`` holds or may see for an enterprise, current
    versions first then the superseded ones, newest first in each: ``(rows, next_cursor)``.

    Keyset on (superseded, -id); the cursor is the last row's pair.
    """
    rows = access.scope(user, VIEW_OWN, _listed()).annotate(
        old=Case(
            When(status=Status.SUPERSEDED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    if cursor:
        old, pk = decode_cursor(cursor, 2)
        if not isinstance(old, int) or not isinstance(pk, int):
            raise InvalidInput(fields={"cursor": ["分页游标无效 / invalid cursor"]})
        rows = rows.filter(old__gte=old).exclude(old=old, pk__gte=pk)
    found = list(rows.order_by("old", "-pk")[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    return found, encode_cursor([found[-1].old, found[-1].pk])


def my_license(user, identifier: str) -> License:
    """The license ``user`` may see in their wallet; ``NotFound`` for anyone else's."""
    found = (
        access.scope(user, VIEW_OWN, _listed().select_related("previous"))
        .filter(identifier=str(identifier or "").strip())
        .first()
    )
    if found is None:
        raise NotFound(*NOT_FOUND)
    return found


def access_log(license: License, *, before: int | None = None, limit: int = LOG_LIMIT):
    """The license's accesses, newest first (keyset on the id): ``(rows, next_before)``."""
    rows = license.accesses.select_related("actor", "case").order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    return found[:limit], found[limit - 1].pk


def download(license: License, *, by, request=None):
    """The license's PDF, opened for reading; the download is logged for the holder."""
    access.require(by, VIEW_OWN, license)
    if not license.pdf:
        raise NotFound("该证照的文件尚未生成,请稍后再试", "The license file is not ready yet")
    with transaction.atomic():
        LicenseAccess.objects.create(
            license=license,
            kind=LicenseAccess.Kind.DOWNLOAD,
            at=clock.now(),
            actor=by,
            actor_label=display_name(by),
        )
        audit.record(by, "licenses.download", license, request=request)
    return license.pdf.open("rb")


def display_name(user) -> str:
    """How an account appears in a license's access log."""
    return (user.get_full_name() or user.get_username())[:200]
