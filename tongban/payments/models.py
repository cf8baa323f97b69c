"""统一支付: payment orders per case, callbacks received, refunds, daily reconciliation.

Amounts are integers in fen (分) everywhere: no floating point touches money. An order's
``items`` keep the guide's fee items as they were billed (name, code, basis, fen), so a later
guide revision never changes what a person was asked to pay. A case has at most one live
order (created, paying or paid); a failed or closed order may be followed by a new one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import money


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("待缴费")
        PAYING = "paying", _("支付中")
        PAID = "paid", _("已缴费")
        FAILED = "failed", _("支付失败")
        REFUNDED = "refunded", _("已退费")
        CLOSED = "closed", _("已关闭")

    LIVE = (Status.CREATED, Status.PAYING, Status.PAID)

    number = models.CharField(_("缴费订单号"), max_length=32, unique=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        "workflow.Task",
        verbose_name=_("缴费环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("流程中等待缴费的系统任务;到账后自动完成"),
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("执收单位"), on_delete=models.PROTECT, related_name="+"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("缴款人账号"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    payer_name = models.CharField(_("缴款人"), max_length=100)
    amount = models.PositiveBigIntegerField(_("应缴金额(分)"))
    items = models.JSONField(
        _("收费项目"), default=list, help_text=_('[{"code", "name", "basis", "amount" (分)}]')
    )
    provider = models.CharField(_("支付渠道"), max_length=32)
    pay_code = models.CharField(
        _("缴款码"), max_length=32, blank=True, help_text=_("财政非税收入缴款码,由渠道开单时返回")
    )
    channel_order_id = models.CharField(_("渠道交易号"), max_length=64, blank=True, db_index=True)
    pay_url = models.URLField(_("支付页面"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.CREATED)
    paid_amount = models.PositiveBigIntegerField(_("实缴金额(分)"), null=True, blank=True)
    paid_at = models.DateTimeField(_("到账时间"), null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(_("已退金额(分)"), default=0)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("缴费期限"), null=True, blank=True)
    last_queried_at = models.DateTimeField(_("最近查询渠道时间"), null=True, blank=True)
    # The sequence of the last channel notice applied: an older one never overrides it.
    last_sequence = models.BigIntegerField(_("最近通知序号"), default=0)
    created_at = models.DateTimeField(_("开单时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("缴费订单")
        verbose_name_plural = _("缴费订单")
        ordering = ["-id"]
        permissions = [
            ("reconcile", _("对账")),
            ("request_refund", _("申请退费")),
            ("approve_refund", _("审批退费")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["created", "paying", "paid"]),
                name="payments_one_live_order_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_queried_at"], name="payments_order_unsettled"),
            models.Index(fields=["provider", "paid_at"], name="payments_order_paid_day"),
            models.Index(fields=["department", "status"], name="payments_order_department"),
        ]

    def __str__(self):
        return self.number

    @property
    def yuan(self) -> str:
        return money.yuan(self.amount)


class Callback(models.Model):
    """Every asynchronous notice a channel sent, kept whether it was applied or not."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已处理")
        DUPLICATE = "duplicate", _("重复通知(未改变)")
        STALE = "stale", _("过时通知(未改变)")
        BAD_SIGNATURE = "bad_signature", _("签名错误(已拒绝)")
        UNKNOWN_ORDER = "unknown_order", _("订单不存在")
        AMOUNT_MISMATCH = "amount_mismatch", _("金额不符(已拒绝)")
        INVALID = "invalid", _("格式错误")

    provider = models.CharField(_("支付渠道"), max_length=32)
    order = models.ForeignKey(
        PaymentOrder,
        verbose_name=_("缴费订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    event_id = models.CharField(_("通知编号"), max_length=64, blank=True)
    event = models.CharField(_("通知类型"), max_length=32, blank=True)
    sequence = models.BigIntegerField(_("通知序号"), default=0)
    body = models.TextField(_("通知内容"))
    signature_ok = models.BooleanField(_("签名有效"), default=False)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["provider", "event_id"], name="payments_callback_event")]

    def __str__(self):
        return f"{self.provider} {self.event_id} {self.outcome}"


class Refund(models.Model):
    """退费: requested by the department's staff, approved by finance, sent to the channel."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        REJECTED = "rejected", _("已驳回")
        APPROVED = "approved", _("已批准,退款中")
        REFUNDED = "refunded", _("已退款")
        FAILED = "failed", _("退款失败")

    number = models.CharField(_("退费单号"), max_length=32, unique=True)
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("缴费订单"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.PositiveBigIntegerField(_("退费金额(分)"))
    reason = models.CharField(_("退费原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    channel_refund_id = models.CharField(_("渠道退款号"), max_length=64, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("退款完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("退费")
        verbose_name_plural = _("退费")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class Statement(models.Model):
    """A channel's daily statement file (对账单) as downloaded, kept for the record."""

    provider = models.CharField(_("支付渠道"), max_length=32)
    date = models.DateField(_("对账日期"))
    content = models.TextField(_("对账单内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    downloaded_at = models.DateTimeField(_("下载时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("渠道对账单")
        verbose_name_plural = _("渠道对账单")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "date"], name="payments_statement_day")
        ]

    def __str__(self):
        return f"{self.provider} {self.date}"


class Reconciliation(models.Model):
    """One run of the daily reconciliation of a channel: the platform's paid and refunded
    orders of the day against the channel's statement."""

    class Status(models.TextChoices):
        BALANCED = "balanced", _("账务相符")
        DISCREPANT = "discrepant", _("存在差错")

    provider = models.CharField(_("支付渠道"), max_length=32)
    date = models.DateField(_("对账日期"))
    statement = models.ForeignKey(
        Statement, verbose_name=_("对账单"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("结果"), max_length=16, choices=Status)
    matched_count = models.PositiveIntegerField(_("平账笔数"), default=0)
    matched_amount = models.BigIntegerField(_("平账金额(分)"), default=0)
    platform_count = models.PositiveIntegerField(_("平台笔数"), default=0)
    platform_amount = models.BigIntegerField(_("平台金额(分)"), default=0)
    channel_count = models.PositiveIntegerField(_("渠道笔数"), default=0)
    channel_amount = models.BigIntegerField(_("渠道金额(分)"), default=0)
    run_by = models.CharField(_("执行人"), max_length=100)
    created_at = models.DateTimeField(_("对账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对账记录")
        verbose_name_plural = _("对账记录")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.provider} {self.date} {self.status}"


class Discrepancy(models.Model):
    """A difference reconciliation found; finance staff resolve it with a note."""

    class Kind(models.TextChoices):
        MISSING_ON_PLATFORM = "missing_on_platform", _("渠道有、平台无(长款)")
        MISSING_ON_CHANNEL = "missing_on_channel", _("平台有、渠道无(短款)")
        AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")
        STATUS_MISMATCH = "status_mismatch", _("状态不符")

    reconciliation = models.ForeignKey(
        Reconciliation,
        verbose_name=_("对账记录"),
        on_delete=models.CASCADE,
        related_name="discrepancies",
    )
    kind = models.CharField(_("差错类型"), max_length=24, choices=Kind)
    order = models.ForeignKey(
        PaymentOrder,
        verbose_name=_("缴费订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order_number = models.CharField(_("订单号"), max_length=32, blank=True)
    channel_order_id = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    platform_amount = models.BigIntegerField(_("平台金额(分)"), null=True, blank=True)
    channel_amount = models.BigIntegerField(_("渠道金额(分)"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    resolved = models.BooleanField(_("已处理"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.CharField(_("处理说明"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("对账差错")
        verbose_name_plural = _("对账差错")
        ordering = ["reconciliation_id", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.order_number or self.channel_order_id}"
