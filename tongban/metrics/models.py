"""评估与台账: the reform task ledger (工作任务台账) and the daily indicator snapshots.

The ledger holds a plan's numbered tasks (the county's 2022 action plan: 25) with their lead
and responsible units and deadlines; units report progress with evidence. Whether a task is
overdue is read from its deadline against the clock, never stored. Indicators are computed
from live data (``indicators``); a snapshot per day, indicator and scope keeps the trend.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerTask(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETED = "completed", _("已完成")

    plan = models.CharField(_("所属方案"), max_length=200)
    number = models.PositiveSmallIntegerField(_("任务序号"))
    section = models.CharField(_("任务类别"), max_length=100, blank=True)
    title = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("任务内容"))
    lead_text = models.CharField(_("牵头单位(原文)"), max_length=300)
    responsible_text = models.CharField(_("责任单位(原文)"), max_length=600, blank=True)
    lead_units = models.ManyToManyField(
        "org.Department", verbose_name=_("牵头单位"), related_name="+", blank=True
    )
    responsible_units = models.ManyToManyField(
        "org.Department", verbose_name=_("责任单位"), related_name="+", blank=True
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("完成进度(%)"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作任务")
        verbose_name_plural = _("工作任务台账")
        ordering = ["plan", "number"]
        permissions = [("report_progress", _("报送任务进展"))]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="metrics_task_number"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="metrics_task_due")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class ProgressReport(models.Model):
    """A unit's progress report on a task (进展报送); never changed once filed."""

    task = models.ForeignKey(
        LedgerTask, verbose_name=_("工作任务"), on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("进展情况"))
    progress = models.PositiveSmallIntegerField(_("完成进度(%)"))
    completed = models.BooleanField(_("本单位任务已完成"), default=False)
    created_at = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["task_id", "-id"]

    def __str__(self):
        return f"{self.task_id} {self.department_id} {self.progress}%"


class Evidence(models.Model):
    """An attachment proving progress (佐证材料), stored with its SHA-256."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("进展报送"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to="ledger/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.name


class IndicatorSnapshot(models.Model):
    """One indicator's value on one day for one scope (the county, a department, a town)."""

    class Scope(models.TextChoices):
        COUNTY = "county", _("全县")
        DEPARTMENT = "department", _("部门")
        TOWN = "town", _("镇(街道)")

    date = models.DateField(_("日期"))
    key = models.CharField(_("指标"), max_length=40)
    scope = models.CharField(_("范围"), max_length=16, choices=Scope)
    scope_code = models.CharField(_("范围代码"), max_length=32, blank=True)
    numerator = models.BigIntegerField(_("分子"))
    denominator = models.BigIntegerField(_("分母"))
    value = models.FloatField(_("值"), null=True, blank=True)
    target = models.FloatField(_("目标"), null=True, blank=True)
    taken_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标快照")
        verbose_name_plural = _("指标快照")
        ordering = ["-date", "key"]
        permissions = [("view_dashboard", _("查看自评估看板"))]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "key", "scope", "scope_code"], name="metrics_snapshot_day"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.key} {self.scope}:{self.scope_code}"
