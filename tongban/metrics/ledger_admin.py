"""Admin of the ledger: supervisors keep the tasks (add tasks of the next plan, change the
units and deadlines); department administrators read their units' tasks. Reports and
evidence are filed on the ledger pages (``ledger_views``) and shown there; nothing is deleted.
"""

from django.contrib import admin
from django.db import transaction

from tongban.audit import services as audit
from tongban.identity import access
from tongban.metrics import ledger
from tongban.metrics.models import LedgerTask


@admin.register(LedgerTask)
class LedgerTaskAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "title", "lead_text", "deadline", "status", "progress")
    list_filter = ("plan", "status")
    search_fields = ("title", "lead_text", "responsible_text")
    filter_horizontal = ("lead_units", "responsible_units")
    readonly_fields = ("status", "progress", "completed_at", "created_at", "updated_at")

    def get_queryset(self, request):
        return access.scope(request.user, ledger.VIEW, super().get_queryset(request))

    def has_module_permission(self, request):
        return access.can(request.user, ledger.VIEW)

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, ledger.VIEW, obj)

    def has_add_permission(self, request):
        return access.can(request.user, ledger.KEEP)

    def has_change_permission(self, request, obj=None):
        return access.can(request.user, ledger.KEEP, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(LedgerTask.objects.get(pk=obj.pk)) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = "change" if change else "add"
            audit.record(
                request.user,
                f"metrics.ledgertask.{verb}",
                obj,
                changes=audit.diff(before, audit.snapshot(obj)) if change else audit.snapshot(obj),
                request=request,
            )
