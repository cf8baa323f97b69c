"""The notify app's public functions: ``send`` a message; inbox; dead letters; templates.

    notify.send(user, "case.accepted", {"事项名称": "…", "受理编号": "…"},
                address="13800000000", idempotency_key=f"case:{case.pk}:accepted")

Messages are stored first (one transaction with their audit records); delivery runs in a
background task after commit, so a request never waits on a provider.
"""

import logging
import re
import uuid
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Max, Q, Value, When

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.notify import policy, templating
from tongban.notify.models import Channel, Message, Template, mask
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor

Status = Message.Status
CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
DEAD_LETTER_ALERT = "notify.dead_letter"
SYSTEM = "notify"
logger = logging.getLogger(__name__)


# Templates ------------------------------------------------------------------------------


def check_template(template: Template) -> None:
    """Refuse a template whose text uses variables it does not declare."""
    problems: dict[str, list[str]] = {}
    if not CODE.match(template.code or ""):
        problems["code"] = ["模板代码只能用小写字母、数字、下划线和点 / lowercase, digits, _ and ."]
    declared = set(template.variable_names)
    for field in ("subject", "body"):
        unknown = templating.used_variables(getattr(template, field)) - declared
        if unknown:
            names = "、".join(sorted(unknown))
            problems[field] = [f"未声明的变量:{names} / undeclared variables: {names}"]
    if template.channel == Channel.EMAIL and not template.subject:
        problems["subject"] = ["邮件模板须有标题 / an e-mail template needs a subject"]
    if problems:
        raise InvalidInput(fields=problems)


def save_template(code, channel, *, body, subject="", variables="", by=None) -> Template:
    """Store a new version of the template (the first one when there is none)."""
    template = Template(code=code, channel=channel, subject=subject, body=body, variables=variables)
    check_template(template)
    with transaction.atomic():
        latest = Template.objects.filter(code=code, channel=channel).aggregate(v=Max("version"))
        template.version = (latest["v"] or 0) + 1
        template.created_by = getattr(by, "username", by or "")[:150]
        template.save()
        audit.record(
            by or SYSTEM,
            "notify.template.save",
            template,
            changes={"version": [template.version - 1, template.version]},
        )
    return template


def current_templates(code: str) -> dict[str, Template]:
    """The newest version of the template for each channel."""
    found: dict[str, Template] = {}
    for template in Template.objects.filter(code=code).order_by("channel", "-version"):
        found.setdefault(template.channel, template)
    return found


def preview(template: Template, context: dict | None = None) -> dict[str, str]:
    """The template filled with ``context``; missing variables show as 【变量名】."""
    context = context or {}
    return {
        "subject": templating.render(template.subject, context, missing=templating.sample),
        "body": templating.render(template.body, context, missing=templating.sample),
    }


# Sending --------------------------------------------------------------------------------


def send(
    recipient,
    template_code: str,
    context: dict,
    *,
    channels=None,
    urgent: bool = False,
    idempotency_key: str | None = None,
    address: str | None = None,
    by=None,
) -> list[Message]:
    """Store one message per channel and enqueue their delivery; returns the messages.

    ``recipient`` is an account or ``None``; ``address`` is a phone number or e-mail address
    (accounts carry no phone yet). Without ``channels``, every channel the template has and
    the recipient can be reached on. The same ``idempotency_key`` returns the same messages.
    """
    key = idempotency_key or uuid.uuid4().hex
    existing = _existing(key)
    if existing:
        return existing
    templates = current_templates(template_code)
    if not templates:
        raise NotFound(f"没有消息模板 {template_code}", f"No template {template_code}")
    targets = _targets(recipient, templates, channels, address)
    try:
        with transaction.atomic():
            messages = [
                _store(recipient, templates[channel], to, context, urgent, f"{key}:{channel}", by)
                for channel, to in targets
            ]
    except IntegrityError:  # the same key, sent at the same moment by someone else
        return _existing(key)
    for message in messages:
        if message.status == Status.QUEUED:
            transaction.on_commit(partial(_schedule, message.pk, message.next_attempt_at))
    return messages


def _existing(key: str) -> list[Message]:
    keys = [f"{key}:{channel}" for channel in Channel.values]
    return list(Message.objects.filter(idempotency_key__in=keys).order_by("pk"))


def _schedule(message_id, when):
    from tongban.notify.tasks import schedule

    schedule(message_id, when)


def _targets(recipient, templates, channels, address) -> list[tuple[str, str]]:
    explicit = channels is not None
    wanted = list(channels) if explicit else list(templates)
    targets, problems = [], []
    for channel in wanted:
        to = _address(channel, recipient, address)
        if channel not in templates:
            problems.append(f"模板没有{Channel(channel).label}版本")
        elif to is None:
            problems.append(f"接收人没有{Channel(channel).label}地址")
        else:
            targets.append((channel, to))
    if (explicit and problems) or not targets:
        raise InvalidInput(fields={"channels": problems or ["没有可用的接收渠道"]})
    return targets


def _address(channel: str, recipient, address: str | None) -> str | None:
    if channel == Channel.IN_APP:
        return "" if recipient is not None else None
    if channel == Channel.SMS:
        return address if address and "@" not in address else None
    if channel == Channel.EMAIL:
        if address and "@" in address:
            return address
        return getattr(recipient, "email", "") or None
    return None


def _store(recipient, template, to, context, urgent, key, by) -> Message:
    missing = [name for name in template.variable_names if name not in context]
    if missing:
        raise InvalidInput(fields={"context": [f"缺少变量:{'、'.join(missing)}"]})
    now = clock.now()
    in_app = template.channel == Channel.IN_APP
    message = Message.objects.create(
        recipient=recipient,
        address=to,
        channel=template.channel,
        template_code=template.code,
        template_version=template.version,
        subject=templating.render(template.subject, context),
        body=templating.render(template.body, context),
        urgent=urgent,
        status=Status.DELIVERED if in_app else Status.QUEUED,
        delivered_at=now if in_app else None,
        next_attempt_at=None if in_app else policy.earliest_send(template.channel, to, urgent, now),
        idempotency_key=key,
        created_at=now,
    )
    audit.record(
        by or SYSTEM,
        "notify.message.send",
        message,
        changes={
            "channel": message.channel,
            "template": f"{template.code}@v{template.version}",
            "to": mask(to) if to else str(recipient),
        },
    )
    return message


# Inbox ----------------------------------------------------------------------------------


def inbox(user, *, unread_only: bool = False):
    messages = Message.objects.filter(recipient=user, channel=Channel.IN_APP)
    return messages.filter(read_at__isnull=True) if unread_only else messages


def inbox_page(user, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT):
    """One page of ``user``'s in-app messages, unread first, newest first within each:
    ``(messages, next_cursor)``. Keyset on (read, -id); the cursor is the last row's pair."""
    rows = inbox(user).annotate(
        seen=DbCase(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    if cursor:
        seen, pk = decode_cursor(cursor, 2)
        if not isinstance(seen, int) or not isinstance(pk, int):
            raise InvalidInput(fields={"cursor": ["分页游标无效 / invalid cursor"]})
        rows = rows.filter(Q(seen__gt=seen) | Q(seen=seen, pk__lt=pk))
    limit = max(1, min(int(limit), MAX_LIMIT))
    found = list(rows.order_by("seen", "-pk")[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    return found, encode_cursor([found[-1].seen, found[-1].pk])


def unread_count(user) -> int:
    return inbox(user, unread_only=True).count()


def mark_read(user, message_id: int) -> Message:
    message = inbox(user).filter(pk=message_id).first()
    if message is None:
        raise NotFound("没有这条消息", "No such message")
    if message.read_at is None:
        message.read_at = clock.now()
        message.save(update_fields=["read_at"])
    return message


# Dead letters and receipts -----------------------------------------------------------------


def dead_letters():
    return Message.objects.filter(status__in=(Status.DEAD, Status.FAILED))


def alert_dead_letter(message: Message) -> None:
    """Tell every system administrator, in their inbox, that a message could not be sent."""
    from tongban.org.models import StaffMembership
    from tongban.org.services import holders_of

    context = {
        "消息编号": message.pk,
        "渠道": message.get_channel_display(),
        "模板": message.template_code,
        "尝试次数": message.attempts,
        "错误": message.last_error[:200],
    }
    for admin in holders_of(StaffMembership.Role.SYSTEM_ADMIN):
        try:
            send(
                admin,
                DEAD_LETTER_ALERT,
                context,
                channels=[Channel.IN_APP],
                idempotency_key=f"dead-letter:{message.uid.hex}:{message.attempts}:{admin.pk}",
            )
        except (NotFound, InvalidInput):
            logger.error("dead-letter alert template %s is missing or broken", DEAD_LETTER_ALERT)
            return


def resend(message: Message, *, by=None) -> Message:
    """Put a dead (or failed) message back in the queue, with a fresh count of attempts."""
    with transaction.atomic():
        reopened = Message.objects.filter(pk=message.pk, status__in=(Status.DEAD, Status.FAILED))
        if not reopened.update(status=Status.QUEUED, attempts=0, next_attempt_at=clock.now()):
            raise Conflict("只有发送失败的消息可以重新发送", "Only dead messages can be re-sent")
        message.refresh_from_db()
        audit.record(
            by or SYSTEM,
            "notify.message.resend",
            message,
            changes={"status": [Status.DEAD, Status.QUEUED]},
        )
        transaction.on_commit(partial(_schedule, message.pk, None))
    return message


def record_receipt(provider: str, client_msg_id: str, status: str, at) -> bool:
    """A provider's delivery receipt: sent (or still sending) → delivered. Idempotent."""
    try:
        uid = uuid.UUID(hex=client_msg_id)
    except ValueError:
        return False
    if status != "DELIVERED":
        return Message.objects.filter(uid=uid, provider=provider).exists()
    updated = Message.objects.filter(
        uid=uid, provider=provider, status__in=(Status.SENDING, Status.SENT)
    ).update(status=Status.DELIVERED, delivered_at=at)
    return bool(updated) or Message.objects.filter(uid=uid, provider=provider).exists()
