"""The admin site for staff: in Chinese, and closed to any account without a role.

Roles come from ``org`` (a staff membership with a role); an account flagged ``is_staff``
but holding no active role is refused, superuser or not. Signing in takes the password and
the 6-digit code of the account's TOTP device (django-otp; ``manage.py enroll_totp``), and a
session not verified by a device is refused too (tongban.identity.signin has the lock-out).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The staff pages outside the admin, listed on its index for whoever may open them:
# (title, URL name, the action their door checks).
DESKS = (
    (_("工作台(待办与办件)"), "portal:workbench", "cases.view"),
    (_("帮办代办预约"), "portal:workbench_assist", "cases.intake"),
    (_("效能监察"), "portal:supervision", "cases.supervise"),
    (_("差评整改台"), "reviews:desk", "reviews.view_rectification"),
    (_("寄递工作台"), "logistics:desk", "logistics.view"),
    (_("财务对账台"), "payments:finance_desk", "payments.reconciliation.view"),
    (_("电子档案"), "archives:search", "archives.view"),
    (_("自评估看板"), "metrics:dashboard", "metrics.view_dashboard"),
    (_("工作任务台账"), "metrics:ledger", "metrics.ledger.view"),
)


class TongbanAdminSite(admin.AdminSite):
    site_header = _("通办 · 周至县一体化政务服务平台 管理后台")
    site_title = _("通办管理后台")
    index_title = _("管理首页")
    login_template = "admin/tongban_login.html"

    @property
    def login_form(self):
        # Imported here: this module is named in INSTALLED_APPS, so it loads before models.
        from tongban.identity.forms import StaffLoginForm

        return StaffLoginForm

    def index(self, request, extra_context=None):
        from tongban.identity import access

        desks = [
            {"title": title, "url": reverse(name)}
            for title, name, action in DESKS
            if access.can(request.user, action)
        ]
        return super().index(request, {**(extra_context or {}), "desks": desks})

    def has_permission(self, request):
        from tongban.org import services as org

        user = request.user
        # is_verified comes from django_otp's middleware; without it, nobody is verified.
        is_verified = getattr(user, "is_verified", None)
        return bool(
            user.is_active
            and user.is_staff
            and is_verified is not None
            and is_verified()
            and org.has_any_role(user)
        )


class TongbanAdminConfig(AdminConfig):
    default_site = "tongban.admin_site.TongbanAdminSite"
