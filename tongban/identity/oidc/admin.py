"""Department systems (OIDC clients) in the admin, with every change audited.

Named by ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``, so django-oauth-toolkit registers
it on the Tongban admin site. A new client's secret is shown once, in the message after it
is added; it is stored hashed.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

import tongban.identity.oidc.checks  # noqa: F401  (registers identity.E101 and E102)
from tongban.audit.admin import AuditedModelAdmin
from tongban.identity.oidc import clients

Application = get_application_model()


class ApplicationAdmin(AuditedModelAdmin):
    list_display = ("name", "client_id", "client_type", "status", "created")
    list_filter = ("client_type",)
    search_fields = ("name", "client_id")
    fields = (
        "name",
        "client_id",
        "client_type",
        "redirect_uris",
        "post_logout_redirect_uris",
        "allowed_origins",
        "skip_authorization",
    )
    readonly_fields = ("client_id",)
    audit_hidden = AuditedModelAdmin.audit_hidden | {"client_secret"}
    actions = ("disable_clients",)

    @admin.display(description=_("状态"))
    def status(self, client):
        return _("已停用") if clients.is_disabled(client) else _("启用")

    def save_model(self, request, obj, form, change):
        secret = None
        if not change:
            obj.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
            obj.algorithm = Application.RS256_ALGORITHM
            if obj.client_type == Application.CLIENT_CONFIDENTIAL:
                secret = obj.client_secret  # still in clear: hashed when saved
            else:
                obj.client_secret = ""
        super().save_model(request, obj, form, change)
        if secret:
            messages.warning(
                request,
                _("接入系统已登记。客户端密钥只显示这一次,请立即交给该系统的管理员:%(secret)s")
                % {"secret": secret},
            )

    @admin.action(description=_("停用所选接入系统"), permissions=["change"])
    def disable_clients(self, request, queryset):
        for client in queryset:
            clients.disable(client, by=request.user)
        messages.success(request, _("已停用 %(count)d 个接入系统") % {"count": queryset.count()})
