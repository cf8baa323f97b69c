"""The county's organization: departments, the four-level service network, windows, roles.

Other apps read these through ``tongban.org.services``; only this app writes them.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongban.core import clock
from tongban.org.fields import USCCField

STATISTICAL_CODE_LENGTHS = {"county": 9, "town": 9, "village": 12}
PARENT_LEVEL = {"county": None, "town": "county", "village": "town"}


class Department(models.Model):
    """A county department (部门) that implements service items and employs staff."""

    name = models.CharField(_("部门全称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40)
    uscc = USCCField(_("统一社会信用代码"), unique=True)
    code = models.SlugField(
        _("部门代码"),
        max_length=32,
        unique=True,
        help_text=_("稳定的英文短代码,供接口和命令使用,例如 approval"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self._is_ancestor_or_self(self.parent):
            raise ValidationError(
                {
                    "parent": _(
                        "上级部门不能是本部门或其下级部门 / a department cannot be its own parent"
                    )
                }
            )

    def _is_ancestor_or_self(self, department: "Department") -> bool:
        """Whether ``department`` is this one or below it: walks up, so a cycle is caught."""
        seen = set()
        while department is not None and department.pk not in seen:
            if self.pk is not None and department.pk == self.pk:
                return True
            seen.add(department.pk)
            department = department.parent
        return False


class ServiceCenter(models.Model):
    """A place of the four-level network: county center, town center or village station.

    Divisions carry two codes: the statistical division code (9 digits for the county and towns,
    12 for villages) and the provincial service network's own 12-digit numbering.
    """

    class Level(models.TextChoices):
        COUNTY = "county", _("县级政务服务中心")
        TOWN = "town", _("镇(街道)便民服务中心")
        VILLAGE = "village", _("村(社区)便民服务站")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    statistical_code = models.CharField(
        _("统计用区划代码"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{9}(\d{3})?$", _("应为9位或12位数字 / 9 or 12 digits"))],
        help_text=_("镇(街道)9位,如 610124101;村(社区)12位,如 610124101201"),
    )
    provincial_code = models.CharField(
        _("省网区划编码"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{12}$", _("应为12位数字 / 12 digits"))],
        help_text=_("省级政务服务网的12位编码,如哑柏镇 610124002000"),
    )
    division_name = models.CharField(_("行政区划名称"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("服务中心")
        verbose_name_plural = _("服务中心")
        # Statistical codes sort as a tree: each village right after its town.
        ordering = ["statistical_code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level="town")
                | (
                    Q(statistical_code__isnull=False, provincial_code__isnull=False)
                    & ~Q(statistical_code="")
                    & ~Q(provincial_code="")
                ),
                name="org_town_center_has_both_codes",
                violation_error_message=_(
                    "镇(街道)便民服务中心必须填写统计用区划代码和省网区划编码"
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {**self._parent_errors(), **self._code_errors()}
        if errors:
            raise ValidationError(errors)

    def _parent_errors(self) -> dict:
        wanted = PARENT_LEVEL.get(self.level)
        parent = self.parent if self.parent_id else None
        if wanted is None and parent is not None:
            return {"parent": _("县级政务服务中心没有上级中心 / a county center has no parent")}
        if wanted is not None and (parent is None or parent.level != wanted):
            label = self.Level(wanted).label
            return {
                "parent": _("上级中心应为%(level)s / the parent must be a %(level)s")
                % {"level": label}
            }
        return {}

    def _code_errors(self) -> dict:
        errors = {}
        length = STATISTICAL_CODE_LENGTHS.get(self.level)
        if self.statistical_code and length and len(self.statistical_code) != length:
            errors["statistical_code"] = _("%(level)s的统计用区划代码应为%(n)d位") % {
                "level": self.get_level_display(),
                "n": length,
            }
        if self.level == self.Level.TOWN:
            for name in ("statistical_code", "provincial_code"):
                if not getattr(self, name):
                    errors[name] = _(
                        "镇(街道)便民服务中心必须填写此项 / required for a town center"
                    )
        return errors


class Window(models.Model):
    """A service window (窗口) of a center; comprehensive windows serve every department."""

    class Type(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合受理")
        CONSULTATION = "consultation", _("综合咨询")
        ASSISTED = "assisted", _("帮办代办")
        CROSS_REGION = "cross_region", _("跨域通办")
        CANNOT_HANDLE = "cannot_handle", _("办不成事反映")
        DELIVERY = "delivery", _("出件")

    center = models.ForeignKey(
        ServiceCenter, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="windows"
    )
    number = models.CharField(_("窗口编号"), max_length=10, help_text=_("例如 A01"))
    name = models.CharField(_("窗口名称"), max_length=100)
    window_type = models.CharField(_("窗口类型"), max_length=16, choices=Type)
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
        help_text=_("综合受理窗口为全部部门受理,不填所属部门"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["center_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "number"], name="org_window_number_per_center"
            ),
            models.CheckConstraint(
                condition=~Q(window_type="comprehensive") | Q(department__isnull=True),
                name="org_comprehensive_window_has_no_department",
                violation_error_message=_("综合受理窗口为全部部门受理,不能指定所属部门"),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def clean(self):
        if self.window_type == self.Type.COMPREHENSIVE and self.department_id:
            raise ValidationError(
                {
                    "department": _(
                        "综合受理窗口为全部部门受理,不能指定所属部门 / "
                        "a comprehensive window serves every department"
                    )
                }
            )


class StaffMembershipQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None):
        """Memberships in force on ``on`` (today by default), in departments still active."""
        day = on or clock.today()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            is_active=True,
            department__is_active=True,
        )


class StaffMembership(models.Model):
    """A staff account's role in a department, optionally at a center and window."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("窗口人员")
        APPROVER = "approver", _("审批人员")
        DEPT_ADMIN = "dept_admin", _("部门管理员")
        CATALOG_ADMIN = "catalog_admin", _("事项管理员")
        DATA_OFFICER = "data_officer", _("数据管理员")
        SUPERVISOR = "supervisor", _("监督人员")
        SYSTEM_ADMIN = "system_admin", _("系统管理员")
        FINANCE = "finance", _("财务人员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="memberships"
    )
    center = models.ForeignKey(
        ServiceCenter,
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role)
    is_active = models.BooleanField(_("有效"), default=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员角色")
        verbose_name_plural = _("人员角色")
        ordering = ["user_id", "department_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "role"], name="org_membership_role_per_department"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="org_membership_valid_period",
                violation_error_message=_("失效日期不能早于生效日期"),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.department.short_name} · {self.get_role_display()}"

    def clean(self):
        errors = {}
        if self.user_id and self.user.kind != self.user.Kind.STAFF:
            errors["user"] = _("只有工作人员账号可以授予角色 / only staff accounts can hold a role")
        if self.window_id:
            errors.update(self._window_errors())
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("失效日期不能早于生效日期 / ends before it starts")
        if errors:
            raise ValidationError(errors)

    def _window_errors(self) -> dict:
        """A window implies its center; it must not point at another center or department."""
        window = self.window
        if not self.center_id:
            self.center = window.center
        if window.center_id != self.center_id:
            return {"window": _("窗口不属于所选服务中心 / the window is at another center")}
        if (
            window.department_id
            and self.department_id
            and window.department_id != self.department_id
        ):
            return {"window": _("窗口属于其他部门 / the window belongs to another department")}
        return {}
