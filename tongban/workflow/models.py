"""Process definitions (one row per version), running instances and the human tasks to do.

A definition is stored once with its parsed spec; an instance keeps only its engine state
(``state``: SpiffWorkflow's serialization without the spec). ``Task`` mirrors each human task
the engine has made ready, so an inbox is one indexed query instead of loading every state.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.errors import Conflict
from tongban.org.models import Department, StaffMembership

# What never changes once an instance runs on the definition.
FROZEN_FIELDS = ("key", "version", "bpmn_xml", "dmn_xml", "process_id", "spec", "digest")


class ProcessDefinition(models.Model):
    """One version of a BPMN process (with its DMN tables); immutable once used."""

    key = models.SlugField(_("流程标识"), max_length=64, help_text=_("例如 standard、parallel"))
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("流程名称"), max_length=200)
    process_id = models.CharField(_("BPMN 流程 ID"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 文件"))
    dmn_xml = models.JSONField(_("DMN 决策表"), default=list, blank=True)
    digest = models.CharField(_("内容摘要(SHA-256)"), max_length=64, editable=False)
    # The parsed spec (SpiffWorkflow serializer JSON): parsed once here, never per instance.
    spec = models.TextField(_("解析后的流程"), editable=False)
    # Per human task spec: {"title", "lane", "role", "decisions", "due_days", "multi"}.
    tasks = models.JSONField(_("人工任务"), default=dict, editable=False)
    is_template = models.BooleanField(_("系统模板"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="workflow_key_version"),
        ]

    def __str__(self):
        return f"{self.name}({self.key} v{self.version})"

    def save(self, *args, **kwargs):
        if self.pk and self._frozen_changed() and self.instances.exists():
            raise Conflict(
                "流程定义已被办件使用,不能修改;请上传新版本",
                "This process version is in use; upload a new version instead",
            )
        super().save(*args, **kwargs)

    def _frozen_changed(self) -> bool:
        stored = type(self).objects.filter(pk=self.pk).values(*FROZEN_FIELDS).first()
        return stored is not None and any(
            stored[name] != getattr(self, name) for name in FROZEN_FIELDS
        )


class ProcessInstance(models.Model):
    """One run of a definition for a subject (e.g. ``cases.Case:42``)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("流程定义"),
        on_delete=models.PROTECT,
        related_name="instances",
    )
    subject = models.CharField(
        _("办理对象"), max_length=100, db_index=True, help_text=_("app_label.Model:pk")
    )
    # Lane name or role value → department id; "*" for every lane (one department).
    departments = models.JSONField(_("泳道部门"), default=dict)
    state = models.TextField(_("流程状态"), editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status, default=Status.RUNNING, db_index=True
    )
    end_event = models.CharField(_("结束节点"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    completed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("流程实例")
        verbose_name_plural = _("流程实例")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.definition.name} · {self.subject}"


class Task(models.Model):
    """A human task the engine made ready, in the inbox of a role in a department."""

    class Status(models.TextChoices):
        READY = "ready", _("待办")
        COMPLETED = "completed", _("已办")
        CANCELLED = "cancelled", _("已取消")

    instance = models.ForeignKey(
        ProcessInstance, verbose_name=_("流程实例"), on_delete=models.CASCADE, related_name="tasks"
    )
    spiff_id = models.UUIDField(_("引擎任务 ID"))
    name = models.CharField(_("任务节点"), max_length=200, help_text=_("BPMN 元素 ID"))
    title = models.CharField(_("任务名称"), max_length=200)
    lane = models.CharField(_("泳道"), max_length=200, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=StaffMembership.Role)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.READY)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("到达时间"), auto_now_add=True)
    due_at = models.DateTimeField(_("任务期限"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    decision = models.CharField(_("决定"), max_length=32, blank=True)
    data = models.JSONField(_("办理数据"), default=dict, blank=True)
    # A system task (camunda property ``system``) is done by a platform app, not a person:
    # "payments" completes 缴费 when the order is paid. It stays in its lane's department for
    # the record, but no inbox lists it and no one can complete it by hand.
    system = models.CharField(_("系统任务"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("流程任务")
        verbose_name_plural = _("流程任务")
        ordering = ["id"]
        constraints = [
            # A task sent back to becomes ready again under its engine id: one open row each.
            models.UniqueConstraint(
                fields=["instance", "spiff_id"],
                condition=models.Q(status="ready"),
                name="workflow_task_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["role", "department", "status"], name="workflow_task_inbox"),
            models.Index(fields=["instance", "status"], name="workflow_task_instance"),
        ]

    def __str__(self):
        return f"{self.title}({self.get_status_display()})"


class ProcessBinding(models.Model):
    """Which process a service item runs (by its implementation code), and for parallel
    approval which departments review. Items without a binding run by their guide's case
    type (``cases.flow.process_for``)."""

    item_code = models.CharField(_("事项实施编码"), max_length=60, unique=True)
    definition_key = models.SlugField(
        _("流程标识"),
        max_length=64,
        help_text=_("instant、standard、parallel、commitment 或上传流程的标识"),
    )
    review_departments = models.JSONField(
        _("并联审查部门"), default=list, blank=True, help_text=_("部门代码列表,仅并联审批流程使用")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("事项流程绑定")
        verbose_name_plural = _("事项流程绑定")
        ordering = ["item_code"]

    def __str__(self):
        return f"{self.item_code} → {self.definition_key}"
