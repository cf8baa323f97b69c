"""Admin pages: the license catalog (证照目录, types as data) kept by the catalog and system
administrators, and a read-only register of issued licenses for the issuing departments'
approvers and administrators (their own department's) and supervisors (all).

Who may do what is asked of ``access`` (``rules.py``), not of Django permissions: no role
carries the licenses app's model permissions. Licenses are never edited here; change,
renewal and revocation go through ``services`` (audited, re-signed).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.audit import services as audit
from tongban.core.pii import mask
from tongban.identity import access
from tongban.licenses import services
from tongban.licenses.models import HolderType, License, LicenseType


@admin.register(LicenseType)
class LicenseTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "authority_name", "holder_type", "validity_years", "is_active")
    list_filter = ("holder_type", "is_active")
    search_fields = ("code", "name", "authority_name")
    filter_horizontal = ("items",)

    def _keeper(self, request) -> bool:
        return access.can(request.user, "licenses.manage_types")

    def has_module_permission(self, request):
        return self._keeper(request) or access.can(request.user, "licenses.view_register")

    def has_view_permission(self, request, obj=None):
        return self._keeper(request)

    def has_add_permission(self, request):
        return self._keeper(request)

    def has_change_permission(self, request, obj=None):
        return self._keeper(request)

    def has_delete_permission(self, request, obj=None):
        return self._keeper(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "licenses.licensetype.change" if change else "licenses.licensetype.add"
        audit.record(request.user, action, obj, changes=_changed(form), request=request)

    def delete_model(self, request, obj):
        audit.record(request.user, "licenses.licensetype.delete", obj, request=request)
        super().delete_model(request, obj)


def _changed(form) -> dict:
    return {name: [None, str(form.cleaned_data.get(name))] for name in form.changed_data}


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ("number", "license_type", "version", "masked_holder", "issuer", "state")
    list_filter = ("status", "license_type")
    search_fields = ("number", "identifier")
    list_select_related = ("license_type", "issuer")
    fields = (
        "identifier", "license_type", "number", "version", "previous", "issuer",
        "masked_holder", "holder_code_type", "issued_on", "valid_from", "valid_to",
        "state", "surface", "case", "pdf_sha256", "revoked_at", "revoke_reason", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("持证主体"))
    def masked_holder(self, obj) -> str:
        if obj.holder_type == HolderType.ENTERPRISE:
            return f"{obj.holder_name}({obj.holder_code})"
        return f"{mask(obj.holder_name, 'name')}({mask(obj.holder_code, 'id_number')})"

    @admin.display(description=_("状态"))
    def state(self, obj) -> str:
        return services.STATE_LABELS[services.state(obj)][0]

    def get_queryset(self, request):
        rows = super().get_queryset(request).defer("signed_data")
        return access.scope(request.user, "licenses.view_register", rows)

    def has_module_permission(self, request):
        return access.can(request.user, "licenses.view_register")

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "licenses.view_register", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
