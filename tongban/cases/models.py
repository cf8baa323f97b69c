"""Cases (办件): one model for every channel, its append-only history, materials and clocks.

A case pins the service item and the published guide version it was filed under, so later
versions never change what was applied for. Status changes go through ``services`` (the
transition table is in ``transitions``); ``CaseEvent`` rows are never updated or deleted.
Time limits count working days (``workdays``), with the State Council's schedule from
chinese-calendar and ``HolidaySchedule`` rows entered by administrators.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField, PersonalCharField


class Channel(models.TextChoices):
    WEB = "web", _("网上办理")
    MOBILE = "mobile", _("移动端")
    COUNTY_WINDOW = "county_window", _("县政务服务中心窗口")
    TOWN_CENTER = "town_center", _("镇(街道)便民服务中心")
    VILLAGE_STATION = "village_station", _("村(社区)便民服务站")
    KIOSK = "kiosk", _("自助终端")
    CROSS_REGION = "cross_region", _("跨域通办")


# Channels where a clerk enters the application for a person in front of them.
STAFF_CHANNELS = frozenset(
    {
        Channel.COUNTY_WINDOW,
        Channel.TOWN_CENTER,
        Channel.VILLAGE_STATION,
        Channel.CROSS_REGION,
    }
)


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交,待受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("已挂起")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    CONCLUDED = "concluded", _("已办结")
    DELIVERED = "delivered", _("已送达")
    WITHDRAWN = "withdrawn", _("已撤回")


class WarningLevel(models.TextChoices):
    """效能监察 colours (``supervision``): yellow at 80% of the promised days, red when overdue."""

    NONE = "", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌超期")


class ResultType(models.TextChoices):
    LICENSE = "license", _("证照")
    DOCUMENT = "document", _("批文")
    APPROVAL = "approval", _("准予许可决定书")
    REFUSAL = "refusal", _("不予许可决定书")


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", _("窗口领取(出件窗口)")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")


class Case(models.Model):
    """办件. ``number`` is printed on every receipt (``numbers.next_case_number``)."""

    Channel = Channel
    Status = Status

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    guide = models.ForeignKey(
        "catalog.Guide",
        verbose_name=_("办事指南版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("申请的本人,或代表法人办理的经办人"),
    )
    enterprise = models.ForeignKey(
        "identity.EnterpriseAccount",
        verbose_name=_("申请法人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    agent = models.ForeignKey(
        "identity.Agent",
        verbose_name=_("经办人授权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_name = PersonalCharField(_("申请人名称"), max_length=200, kind="name")
    applicant_id_number = EncryptedTextField(
        _("申请人证件号码"),
        kind="id_number",
        blank=True,
        help_text=_("身份证号码或统一社会信用代码"),
    )
    applicant_id_number_hash = BlindIndexField(source="applicant_id_number", db_index=True)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel)
    window = models.ForeignKey(
        "org.Window",
        verbose_name=_("受理窗口"),
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
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮办代办人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assist_note = models.CharField(_("帮办代办说明"), max_length=300, blank=True)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The workflow app's instance; an integer, not a foreign key, so the apps stay apart.
    process_instance_id = models.BigIntegerField(_("流程实例"), null=True, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True, default="")
    # 1 for the first submission; each resubmission after a supplement request adds one.
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True)
    due_provisional = models.BooleanField(
        _("办结日期待核定"),
        default=False,
        help_text=_("时限跨入尚未公布(录入)节假日安排的年份,日期仅按周末推算"),
    )
    extension_days = models.PositiveIntegerField(_("延长工作日"), default=0)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    refusal_notice = models.TextField(_("不予受理通知书"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The local (Asia/Shanghai) date of concluded_at, kept by save(): the indicators group
    # and compare by it over millions of cases, where converting each row's time is slow.
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    warning = models.CharField(
        _("效能预警"), max_length=8, choices=WarningLevel, blank=True, default=WarningLevel.NONE
    )
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    result_type = models.CharField(_("办理结果"), max_length=16, choices=ResultType, blank=True)
    delivery_method = models.CharField(
        _("送达方式"), max_length=16, choices=DeliveryMethod, blank=True
    )
    delivery_address = models.CharField(
        _("邮寄地址"), max_length=200, blank=True, help_text=_("送达方式为邮寄时必填")
    )
    result_note = models.TextField(_("结果说明"), blank=True)
    result_file = models.FileField(
        _("结果文书(已签章)"), upload_to="results/%Y/", blank=True, max_length=255
    )
    result_sha256 = models.CharField(_("结果文书 SHA-256"), max_length=64, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="cases_case_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "-id"], name="cases_case_dept_recent"),
            models.Index(fields=["applicant", "-id"], name="cases_case_applicant_recent"),
            models.Index(fields=["center", "-id"], name="cases_case_center_recent"),
            models.Index(fields=["enterprise", "-id"], name="cases_case_enterprise_recent"),
            models.Index(
                fields=["department", "status", "-id"], name="cases_case_dept_status_recent"
            ),
            models.Index(fields=["status", "promised_due"], name="cases_case_status_due"),
            models.Index(fields=["concluded_on", "promised_due"], name="cases_case_concluded_on"),
        ]
        permissions = [
            ("intake_case", _("窗口收件(代申请人录入)")),
            ("accept_case", _("受理、不予受理、一次性告知补正")),
            ("suspend_case", _("挂起与恢复办件")),
            ("extend_case", _("批准延长办理时限")),
            ("decide_case", _("作出审批决定")),
            ("conclude_case", _("办结")),
            ("deliver_case", _("送达")),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        self.concluded_on = timezone.localdate(self.concluded_at) if self.concluded_at else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "concluded_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "concluded_on"}
        super().save(*args, **kwargs)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("case history is append-only")

    def delete(self):
        raise TypeError("case history is append-only")


class CaseEvent(models.Model):
    """One status change (or a verb that keeps the status, such as extend). Never changed."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=24, choices=Status, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24, choices=Status)
    verb = models.CharField(_("操作"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case_id", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.verb} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("case history is append-only: an event is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("case history is append-only: an event is never deleted")


class Material(models.Model):
    """A submitted material: a stored file (with its SHA-256) or a reference to shared data."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("上传文件")
        PERSON = "registry.person", _("人口库")
        ENTITY = "registry.entity", _("法人库")
        LICENSE = "license", _("电子证照")
        BUNDLE = "bundle", _("一件事共享材料")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="materials"
    )
    spec = models.ForeignKey(
        "catalog.MaterialSpec",
        verbose_name=_("材料要求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=24, choices=Source, default=Source.UPLOAD)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小(字节)"), null=True, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    reference_id = models.CharField(_("引用标识"), max_length=100, blank=True)
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    superseded = models.BooleanField(_("已被补正替换"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["case_id", "pk"]

    def __str__(self):
        return self.name


class SupplementRequest(models.Model):
    """一次性告知: every missing or wrong material, with reasons, listed once per case."""

    case = models.OneToOneField(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="supplement"
    )
    round = models.PositiveSmallIntegerField(_("针对的提交轮次"))
    # [{"material_id": 12 | null, "name": "…", "reason": "…"}]
    items = models.JSONField(_("补正清单"))
    notice = models.TextField(_("补正告知书"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("告知时间"))
    answered_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一次性告知")
        verbose_name_plural = _("一次性告知")

    def __str__(self):
        return f"{self.case} 补正告知"


class Suspension(models.Model):
    """挂起: the clock stops from ``started_on`` (not counted) until ``ended_on`` (counted)."""

    class Kind(models.TextChoices):
        EXPERT_REVIEW = "expert_review", _("专家评审")
        INSPECTION = "inspection", _("现场勘验")
        HEARING = "hearing", _("听证")
        OTHER = "other", _("其他")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="suspensions"
    )
    kind = models.CharField(_("挂起类型"), max_length=16, choices=Kind)
    reason = models.TextField(_("挂起原因"))
    resume_status = models.CharField(_("恢复后状态"), max_length=24, choices=Status)
    started_on = models.DateField(_("挂起日期"))
    ended_on = models.DateField(_("恢复日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("挂起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("恢复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("挂起")
        verbose_name_plural = _("挂起")
        ordering = ["case_id", "started_on", "pk"]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


class Extension(models.Model):
    """延长办理时限, decided by an approver: adds working days to the case's limits."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延长理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = _("延长时限")
        verbose_name_plural = _("延长时限")
        ordering = ["case_id", "pk"]

    def __str__(self):
        return f"{self.case} +{self.days}"


class HolidaySchedule(models.Model):
    """A day of the State Council's schedule entered by an administrator: a public holiday,
    or a weekend day that is worked (调休上班). These rows win over chinese-calendar, and a
    year the library does not know counts as known once it has rows here."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind)
    name = models.CharField(_("节日"), max_length=50, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class CaseNumberSlot(models.Model):
    """SQLite only: an AUTOINCREMENT row per number drawn (older rows are removed at once).

    PostgreSQL draws from the sequence ``cases_case_number_seq`` instead (``numbers``).
    """

    class Meta:
        verbose_name = _("办件编号序号")
        default_permissions = ()

    def __str__(self):
        return str(self.pk)
