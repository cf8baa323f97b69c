"""Waybills (运单), their tracking events (物流轨迹) and every courier callback received.

A waybill carries one shipment for one case: the result posted to the applicant (送达,
``kind`` delivery) or the paper materials collected from the applicant's door (上门收件,
``kind`` collection). Our ``reference`` is unique and sent to the courier, which is
idempotent by it; the courier's ``number`` comes back when the waybill is booked. Status
moves forward only (``RANK``); tracking events are kept as they come, whatever their order.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import money
from tongban.core.pii.fields import EncryptedTextField, PersonalCharField
from tongban.core.pii.masking import mask


class Kind(models.TextChoices):
    DELIVERY = "delivery", _("结果送达")
    COLLECTION = "collection", _("上门收件")


class Status(models.TextChoices):
    CREATED = "created", _("已创建,待下单")
    BOOKED = "booked", _("已下单,待揽收")
    PICKED_UP = "picked_up", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")
    RETURNED = "returned", _("已退回")
    FAILED = "failed", _("投递失败")
    CANCELLED = "cancelled", _("已取消")


# The order statuses move in; the last four end a waybill.
RANK = {
    Status.CREATED: 0,
    Status.BOOKED: 1,
    Status.PICKED_UP: 2,
    Status.IN_TRANSIT: 3,
    Status.OUT_FOR_DELIVERY: 4,
    Status.DELIVERED: 5,
    Status.RETURNED: 5,
    Status.FAILED: 5,
    Status.CANCELLED: 5,
}
FINAL = frozenset({Status.DELIVERED, Status.RETURNED, Status.FAILED, Status.CANCELLED})
IN_FLIGHT = frozenset({Status.BOOKED, Status.PICKED_UP, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY})


class PaidBy(models.TextChoices):
    COUNTY = "county", _("县财政承担(申请人免费)")
    APPLICANT = "applicant", _("申请人承担")


class Waybill(models.Model):
    Kind = Kind
    Status = Status
    PaidBy = PaidBy

    reference = models.CharField(_("本平台运单参考号"), max_length=40, unique=True)
    number = models.CharField(_("运单号"), max_length=40, blank=True, db_index=True)
    provider = models.CharField(_("快递服务商"), max_length=32)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="waybills"
    )
    # The case's department, copied so that a desk's list is one indexed query.
    department = models.ForeignKey(
        "org.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    sender_name = PersonalCharField(_("寄件人"), max_length=50, kind="name")
    sender_phone = EncryptedTextField(_("寄件人电话"), kind="phone")
    sender_address = EncryptedTextField(_("寄件地址"), kind="address")
    recipient_name = PersonalCharField(_("收件人"), max_length=50, kind="name")
    recipient_phone = EncryptedTextField(_("收件人电话"), kind="phone", blank=True)
    recipient_address = EncryptedTextField(_("收件地址"), kind="address", blank=True)
    # Collections: the time window the applicant chose for the courier's visit.
    pickup_start = models.DateTimeField(_("上门时间起"), null=True, blank=True)
    pickup_end = models.DateTimeField(_("上门时间止"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status, default=Status.CREATED, db_index=True
    )
    # Why a created waybill is not booked: an address to correct ("" while it can be retried).
    problem = models.CharField(_("待处理问题"), max_length=300, blank=True)
    last_error = models.CharField(_("最近一次下单错误"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("下单尝试次数"), default=0)
    cost_fen = models.PositiveIntegerField(_("运费(分)"), null=True, blank=True)
    paid_by = models.CharField(_("运费承担"), max_length=16, choices=PaidBy)
    booked_at = models.DateTimeField(_("下单时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    last_sequence = models.PositiveIntegerField(_("已应用的最大轨迹序号"), default=0)
    last_event_at = models.DateTimeField(_("最近轨迹时间"), null=True, blank=True)
    created_by = models.CharField(_("创建者"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("运单")
        verbose_name_plural = _("运单")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["department", "-id"], name="logistics_wb_dept_recent"),
            models.Index(fields=["department", "status", "-id"], name="logistics_wb_dept_status"),
            models.Index(fields=["status", "updated_at"], name="logistics_wb_status_age"),
        ]
        permissions = [("manage_waybill", _("寄递下单、取消与重寄"))]

    def __str__(self):
        return self.number or self.reference

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def cost_yuan(self) -> str:
        return money.yuan(self.cost_fen)

    def masked_recipient(self) -> str:
        return (
            f"{mask(self.recipient_name, 'name')} {mask(self.recipient_phone, 'phone')} "
            f"{mask(self.recipient_address, 'address')}"
        ).strip()


class TrackingEvent(models.Model):
    """One step the courier reported (pushed or pulled); ``event_id`` is unique per courier."""

    waybill = models.ForeignKey(
        Waybill, verbose_name=_("运单"), on_delete=models.CASCADE, related_name="events"
    )
    provider = models.CharField(_("快递服务商"), max_length=32)
    event_id = models.CharField(_("轨迹编号"), max_length=64)
    sequence = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("轨迹代码"), max_length=32)
    status = models.CharField(_("对应状态"), max_length=20, choices=Status, blank=True)
    description = models.CharField(_("说明"), max_length=300)
    location = models.CharField(_("地点"), max_length=100, blank=True)
    at = models.DateTimeField(_("发生时间"))
    source = models.CharField(_("来源"), max_length=8, default="push")  # push or pull
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("物流轨迹")
        verbose_name_plural = _("物流轨迹")
        ordering = ["-sequence", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="logistics_event_unique_per_provider"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class CourierCallback(models.Model):
    """Every tracking push received, whatever became of it (the courier's side of the log)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已应用")
        DUPLICATE = "duplicate", _("重复推送")
        STALE = "stale", _("过期推送(已记录轨迹,不改变状态)")
        BAD_SIGNATURE = "bad_signature", _("签名无效")
        UNKNOWN = "unknown", _("未知运单")
        INVALID = "invalid", _("格式不正确")

    provider = models.CharField(_("快递服务商"), max_length=32)
    waybill_number = models.CharField(_("运单号"), max_length=40, blank=True, db_index=True)
    event_id = models.CharField(_("轨迹编号"), max_length=64, blank=True)
    body = models.TextField(_("报文"))
    signature_ok = models.BooleanField(_("签名有效"))
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("快递回调")
        verbose_name_plural = _("快递回调")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.provider} {self.waybill_number} {self.outcome}"
