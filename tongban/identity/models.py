from django.contrib.auth.models import AbstractUser, _user_has_module_perms, _user_has_perm
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """One account for every kind of user; real-name levels come with the identity issue."""

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        ENTERPRISE = "enterprise", _("法人")
        STAFF = "staff", _("工作人员")

    kind = models.CharField(_("账号类型"), max_length=16, choices=Kind, default=Kind.PERSON)
    is_demo = models.BooleanField(
        _("演示账号"), default=False, help_text=_("生产环境启动前必须删除全部演示账号。")
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        swappable = "AUTH_USER_MODEL"

    def get_full_name(self) -> str:
        """Chinese order, no space: 王丽 (family name first)."""
        return f"{self.last_name}{self.first_name}".strip()

    def has_perm(self, perm, obj=None):
        """Roles decide (``org.backends.RoleBackend``); ``is_superuser`` grants nothing."""
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        return self.is_active and _user_has_module_perms(self, app_label)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class SignInFailure(models.Model):
    """Failed sign-in attempts in a row for one username, and the lock they led to.

    Kept by username, existing account or not, so that a lock-out reveals nothing about
    which accounts exist. A successful sign-in deletes the row (``identity.signin.reset``).
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self):
        return self.username
