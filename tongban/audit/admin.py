"""The audit log in the admin: read-only for supervisors; and the base admin that records.

``AuditedModelAdmin`` is what other apps' admins subclass so that every add, change and
delete made through the admin leaves an audit record in the same transaction.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tongban.audit import services
from tongban.audit.models import AuditRecord
from tongban.identity import access


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes here, superusers included; viewing needs the perm."""

    list_display = ("at", "actor_display", "action", "object_type", "object_repr", "chain")
    list_filter = ("action", "object_type", "at")
    search_fields = ("=object_id", "^action", "actor_repr", "object_repr")
    list_select_related = ("actor",)
    ordering = ("-id",)
    # An exact COUNT(*) over millions of rows per page view is what DESIGN.md §5 rules out.
    show_full_result_count = False
    fields = (
        "at",
        "actor",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes_table",
        "note",
        "ip",
        "request_id",
        "partition",
        "seq",
        "algorithm",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "audit.view", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("操作人"), ordering="actor_repr")
    def actor_display(self, record):
        if record.actor is not None and not record.actor.is_active:
            return _("%(name)s(账号已停用)") % {"name": record.actor_repr}
        return record.actor_repr or _("系统")

    @admin.display(description=_("链位置"))
    def chain(self, record):
        return f"{record.partition}#{record.seq}"

    @admin.display(description=_("变更内容"))
    def changes_table(self, record):
        if not record.changes:
            return "-"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((name, _shown(old), _shown(new)) for name, (old, new) in record.changes.items()),
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("字段"), _("原值"), _("新值")
        )
        return format_html("<table>{}{}</table>", header, rows)


def _shown(value) -> str:
    return "—" if value is None else str(value)


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes each leave an audit record with the diff.

    ``audit_fields`` limits the fields compared (default: all concrete fields);
    ``audit_hidden`` names fields whose values are never written to the log. Many-to-many
    changes and rows removed by cascade are not itemised.
    """

    audit_fields: tuple[str, ...] | None = None
    audit_hidden = services.HIDDEN_FIELDS

    def save_model(self, request, obj, form, change):
        before = self._stored(obj) if change else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self._record(request, obj, "update" if change else "create", before)

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def _stored(self, obj) -> dict:
        """The row as the database holds it, before this save overwrites it."""
        stored = type(obj)._default_manager.filter(pk=obj.pk).first()
        return services.snapshot(stored, self.audit_fields) if stored is not None else {}

    def _record_deletion(self, request, obj) -> None:
        self._record(request, obj, "delete", services.snapshot(obj, self.audit_fields), {})

    def _record(self, request, obj, verb: str, before: dict, after: dict | None = None) -> None:
        if after is None:
            after = services.snapshot(obj, self.audit_fields)
        opts = obj._meta
        services.record(
            request.user,
            f"{opts.app_label}.{opts.model_name}.{verb}",
            obj,
            changes=services.diff(before, after, hidden=self.audit_hidden),
            request=request,
        )
