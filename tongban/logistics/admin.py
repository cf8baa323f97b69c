"""Read-only admin pages: waybills (their department's for clerks and approvers, all for
supervisors and finance staff) and the courier callbacks log (the same readers).

Nothing is edited here: booking, cancelling and re-sending go through the mail desk
(``views.desk``, audited).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.identity import access
from tongban.logistics.models import CourierCallback, TrackingEvent, Waybill


class _ReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return access.can(request.user, "logistics.view")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TrackingEvent
    fields = ("sequence", "code", "description", "location", "at", "source", "received_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-sequence",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Waybill)
class WaybillAdmin(_ReadOnly):
    list_display = ("reference", "number", "kind", "case", "status", "cost_fen", "paid_by")
    list_filter = ("status", "kind", "paid_by", "provider")
    search_fields = ("reference", "number")
    list_select_related = ("case",)
    fields = (
        "reference", "number", "provider", "kind", "case", "department", "recipient",
        "status", "problem", "last_error", "attempts", "cost_fen", "paid_by", "pickup_start",
        "pickup_end", "booked_at", "delivered_at", "last_sequence", "created_by", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [EventInline]

    @admin.display(description=_("收件人(脱敏)"))
    def recipient(self, obj) -> str:
        return obj.masked_recipient()

    def get_queryset(self, request):
        return access.scope(request.user, "logistics.view", super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "logistics.view", obj)


@admin.register(CourierCallback)
class CourierCallbackAdmin(_ReadOnly):
    list_display = ("received_at", "provider", "waybill_number", "event_id", "outcome")
    list_filter = ("outcome", "signature_ok", "provider")
    search_fields = ("waybill_number", "event_id")
    fields = (
        "received_at", "provider", "waybill_number", "event_id", "signature_ok", "outcome",
        "note", "body",
    )  # fmt: skip
    readonly_fields = fields

    def has_module_permission(self, request):
        return _reads_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return _reads_everything(request.user)


def _reads_everything(user) -> bool:
    """The callback log spans departments: supervisors and finance staff."""
    from tongban.logistics.rules import SCOPED, VIEW

    return access.holds(user, VIEW) and access.reach(user, VIEW, scoped=SCOPED) is access.ALL
