"""Good/bad reviews (好差评) and the rectification (整改) of a bad one.

A ``Review`` rates one concluded case (一事一评) or one window visit (一次一评) on the five
levels (GB/T 39734/39735-2020); a bad review (level 1 or 2) opens a ``Rectification`` for
the responsible department, window and staff member, whose every step is a
``RectificationStep`` row (append-only). docs/reviews.md describes the loop.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

BAD_LEVELS = (1, 2)
GOOD_LEVELS = (4, 5)


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


class Kind(models.TextChoices):
    CASE = "case", _("一事一评")
    VISIT = "visit", _("一次一评")


class Channel(models.TextChoices):
    WEB = "web", _("网上办事大厅")
    MOBILE = "mobile", _("移动端")
    WINDOW_PAD = "window_pad", _("窗口评价器")
    QR = "qr", _("二维码")
    KIOSK = "kiosk", _("自助终端")
    SMS = "sms", _("短信")
    HOTLINE = "hotline", _("12345 热线")


# Sub-indicators (分项指标) per kind: online (一事一评) and on-site (一次一评).
CASE_INDICATORS = {
    "overall": _("整体满意度"),
    "efficiency": _("办事效率"),
    "guide_accuracy": _("指南准确性"),
    "convenience": _("便捷程度"),
    "usability": _("平台易用性"),
}
VISIT_INDICATORS = {
    "overall": _("整体满意度"),
    "efficiency": _("办事效率"),
    "service_level": _("服务水平"),
    "attitude": _("服务态度"),
}


class Review(models.Model):
    class Exclusion(models.TextChoices):
        MISTAKEN = "mistaken", _("误评")
        MALICIOUS = "malicious", _("恶意差评")

    kind = models.CharField(_("评价类型"), max_length=8, choices=Kind)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=Channel)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    center = models.ForeignKey(
        "org.ServiceCenter",
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(
        _("评价等级"),
        choices=Level,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        db_index=True,
    )
    scores = models.JSONField(_("分项评分"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    real_name = models.BooleanField(_("实名评价"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    excluded = models.CharField(
        _("不计入统计"), max_length=16, choices=Exclusion, blank=True, default=""
    )
    at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reviewer", "kind"],
                condition=models.Q(case__isnull=False, reviewer__isnull=False),
                name="reviews_one_per_case_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="reviews_level_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["department", "level"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def indicators(self) -> dict:
        return CASE_INDICATORS if self.kind == Kind.CASE else VISIT_INDICATORS


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPENED = "opened", _("待回访")
        VISITED = "visited", _("已回访核实")
        RECTIFYING = "rectifying", _("限期整改中")
        RECTIFIED = "rectified", _("已整改")
        EXPLAINED = "explained", _("已解释说明")
        FED_BACK = "fed_back", _("已反馈评价人")
        ACCEPTED = "accepted", _("评价人认可")
        APPEALED = "appealed", _("申诉复核中")
        CLOSED = "closed", _("已办结")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("差评成立,重新整改")
        SETTLED = "settled", _("维持整改结果")
        MISTAKEN = "mistaken", _("误评,不计入统计")
        MALICIOUS = "malicious", _("恶意差评,不计入统计")

    review = models.OneToOneField(
        Review, verbose_name=_("评价"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status, default=Status.OPENED, db_index=True
    )
    visit_due = models.DateField(_("回访期限"))
    rectify_due = models.DateField(_("整改期限"))
    appeal_due = models.DateField(_("申诉期限"), null=True, blank=True)
    visit_note = models.TextField(_("回访核实情况"), blank=True)
    rectify_note = models.TextField(_("整改情况"), blank=True)
    explain_note = models.TextField(_("解释说明"), blank=True)
    feedback_note = models.TextField(_("反馈内容"), blank=True)
    appeal_note = models.TextField(_("申诉理由"), blank=True)
    appeal_by_department = models.BooleanField(_("部门申诉"), default=False)
    appealed_from = models.CharField(_("申诉前状态"), max_length=16, blank=True)
    rereview_note = models.TextField(_("复核意见"), blank=True)
    outcome = models.CharField(_("复核结论"), max_length=16, choices=Outcome, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("handle_rectification", _("办理本部门差评整改")),
            ("rereview_rectification", _("复核差评申诉")),
        ]

    def __str__(self):
        return f"{self.review} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.ACCEPTED, self.Status.CLOSED)


class StepQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("rectification steps are append-only")

    def delete(self):
        raise TypeError("rectification steps are append-only")


class RectificationStep(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改"), on_delete=models.PROTECT, related_name="steps"
    )
    verb = models.CharField(_("操作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作方"), max_length=64, blank=True)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.verb} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("rectification steps are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("rectification steps are append-only")
