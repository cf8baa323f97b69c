"""The admin site for staff: in Chinese, and closed to any account without a role.

Roles come from ``org`` (a staff membership with a role); an account flagged ``is_staff``
but holding no active role is refused, superuser or not. Signing in takes the password and
the 6-digit code of the account's TOTP device (django-otp; ``manage.py enroll_totp``), and a
session not verified by a device is refused too (tongban.identity.signin has the lock-out).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


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
