"""The admin site for staff: in Chinese, and closed to any account without a role.

Roles come from ``org`` (a staff membership with a role); an account flagged ``is_staff``
but holding no active role is refused, superuser or not.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class TongbanAdminSite(admin.AdminSite):
    site_header = _("通办 · 周至县一体化政务服务平台 管理后台")
    site_title = _("通办管理后台")
    index_title = _("管理首页")

    def has_permission(self, request):
        from tongban.org import services as org

        user = request.user
        return bool(user.is_active and user.is_staff and org.has_any_role(user))


class TongbanAdminConfig(AdminConfig):
    default_site = "tongban.admin_site.TongbanAdminSite"
