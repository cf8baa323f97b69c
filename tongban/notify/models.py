"""Templates, messages and their delivery log, and each provider's circuit breaker.

A message is stored before anything is sent; its status walks
queued → sending → sent (→ delivered on a receipt), or → dead/failed into the dead-letter
list. The circuit state lives in the database so every worker process shares it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Template(models.Model):
    """One version of a message template; editing makes a new version, never a change."""

    code = models.CharField(_("模板代码"), max_length=64)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel)
    version = models.PositiveIntegerField(_("版本"), default=1)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"), help_text=_("变量写作 {变量名},须在“变量”中声明。"))
    variables = models.CharField(
        _("变量"), max_length=300, blank=True, help_text=_("以逗号分隔,例如:姓名,事项名称")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.CharField(_("创建人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        ordering = ["code", "channel", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "version"], name="notify_template_version"
            )
        ]

    def __str__(self):
        return f"{self.code} · {self.get_channel_display()} · v{self.version}"

    @property
    def variable_names(self) -> list[str]:
        return [
            name.strip() for name in self.variables.replace(",", ",").split(",") if name.strip()
        ]


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")
        DEAD = "dead", _("重试用尽")

    uid = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Only for SMS and email, and only what that channel needs (a phone or an address):
    # encrypted at rest like all personal data, found through its blind index.
    address = EncryptedTextField(_("号码/地址"), blank=True)
    address_index = BlindIndexField(source="address", kind="text")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel)
    template_code = models.CharField(_("模板代码"), max_length=64)
    template_version = models.PositiveIntegerField(_("模板版本"))
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    # When the next attempt is due; while sending, when the claim expires.
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider = models.CharField(_("服务商"), max_length=32, blank=True)
    provider_message_id = models.CharField(_("服务商消息号"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=150, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notify_inbox"),
            models.Index(
                fields=["channel", "address_index", "next_attempt_at"], name="notify_rate"
            ),
            models.Index(fields=["provider", "provider_message_id"], name="notify_receipt"),
        ]
        permissions = [
            ("view_deadletter", _("查看死信(重试用尽的消息)")),
            ("resend_message", _("重新发送消息")),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.template_code} #{self.pk}"

    @property
    def masked_address(self) -> str:
        return mask(self.address)


def mask(address: str) -> str:
    """138****5678 for a phone, z***@example.cn for an e-mail address."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(address) >= 7:
        return f"{address[:3]}****{address[-4:]}"
    return "***" if address else ""


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(
        Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("第几次"))
    provider = models.CharField(_("服务商"), max_length=32)
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    error = models.TextField(_("错误"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), default=0)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["message", "number"]

    def __str__(self):
        return f"{self.message_id} #{self.number} {'成功' if self.ok else '失败'}"


class ProviderCircuit(models.Model):
    class State(models.TextChoices):
        CLOSED = "closed", _("正常")
        OPEN = "open", _("熔断")
        HALF_OPEN = "half_open", _("试探")

    provider = models.CharField(_("服务商"), max_length=32, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.CLOSED)
    failures = models.PositiveIntegerField(_("连续失败"), default=0)
    opened_until = models.DateTimeField(_("熔断至"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务商熔断状态")
        verbose_name_plural = _("服务商熔断状态")

    def __str__(self):
        return f"{self.provider}: {self.get_state_display()}"
