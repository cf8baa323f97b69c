"""Admin of refunds, statements, reconciliations and discrepancies (finance staff).

Read-only: refunds are asked for and decided on the finance desk (or the API), statements
and reconciliations are what a run stored. The one change is resolving a discrepancy, which
goes through ``reconciliation.resolve`` (audited). Department staff see their department's
refunds only (``access.scope``).
"""

from django.contrib import admin, messages

from tongban.errors import TongbanError
from tongban.identity import access
from tongban.payments import (
    finance_rules,  # noqa: F401  (registers the rules)
    reconciliation,
)
from tongban.payments.models import Discrepancy, Reconciliation, Refund, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "amount", "status", "requested_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "order__number"]
    list_select_related = ["order", "requested_by"]
    show_full_result_count = False

    def get_queryset(self, request):
        return access.scope(request.user, "payments.refund.view", super().get_queryset(request))


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["provider", "date", "sha256", "downloaded_at"]
    list_filter = ["provider"]
    date_hierarchy = "date"


class DiscrepancyInline(admin.TabularInline):
    model = Discrepancy
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "order_number",
        "platform_amount",
        "channel_amount",
        "note",
        "resolved",
        "resolution",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = [
        "date",
        "provider",
        "status",
        "matched_count",
        "platform_count",
        "channel_count",
        "run_by",
        "created_at",
    ]
    list_filter = ["provider", "status"]
    date_hierarchy = "date"
    inlines = [DiscrepancyInline]


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    list_display = [
        "reconciliation",
        "kind",
        "order_number",
        "platform_amount",
        "channel_amount",
        "resolved",
    ]
    list_filter = ["kind", "resolved"]
    search_fields = ["order_number", "channel_order_id"]
    list_select_related = ["reconciliation"]
    fields = [
        "reconciliation",
        "kind",
        "order_number",
        "channel_order_id",
        "platform_amount",
        "channel_amount",
        "note",
        "resolved",
        "resolved_by",
        "resolved_at",
        "resolution",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.resolved:
            return [name for name in self.fields if name != "resolution"]
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Resolving is the one change, made by the service (audited), never saved raw."""
        if obj.resolved or "resolution" not in form.changed_data:
            return
        try:
            reconciliation.resolve(obj, by=request.user, resolution=obj.resolution)
        except TongbanError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def log_change(self, request, obj, message):
        return None  # the audit record of ``resolve`` is the record
