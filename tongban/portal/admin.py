"""Read-only admin pages of 帮办代办 bookings, for the clerks of the booking's service center
(the workbench's list, ``/workbench/assist/``, is where they are handled: done or cancelled,
audited in ``assist``). Nothing is added, changed or deleted here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.cases.rules import clerk_centers
from tongban.core.pii import mask
from tongban.identity import access
from tongban.portal.models import AssistBooking

# The door of the workbench's list: a clerk who takes in cases at a service center.
ACTION = "cases.intake"


@admin.register(AssistBooking)
class AssistBookingAdmin(admin.ModelAdmin):
    list_display = ("number", "date", "slot", "center", "kind", "status", "created_at")
    list_filter = ("status", "kind", "slot")
    list_select_related = ("center",)
    search_fields = ("number",)
    date_hierarchy = "date"
    fields = (
        "number", "kind", "item", "item_text", "center", "date", "slot", "masked_name",
        "masked_phone", "note", "status", "user", "created_at", "handled_by", "handled_at",
    )  # fmt: skip
    readonly_fields = fields

    # Personal data masked here; the clerks call the person from the workbench's list.
    @admin.display(description=_("姓名"))
    def masked_name(self, obj):
        return mask(obj.name, "name")

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return mask(obj.phone, "phone")

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows.filter(center__in=clerk_centers(request.user))

    def has_module_permission(self, request):
        return access.can(request.user, ACTION)

    def has_view_permission(self, request, obj=None):
        if not access.can(request.user, ACTION):
            return False
        return obj is None or obj.center_id in clerk_centers(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
