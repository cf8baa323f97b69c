"""Read-only admin pages of reviews and rectifications, for the responsible department's
staff (their own department's) and supervisors (all). Changes go through ``services``
(the rectification desk, audited); nothing is added, changed or deleted here."""

from django.contrib import admin

from tongban.identity import access
from tongban.reviews.models import Rectification, RectificationStep, Review


class ReadOnly(admin.ModelAdmin):
    action = ""

    def get_queryset(self, request):
        return access.scope(request.user, self.action, super().get_queryset(request))

    def has_module_permission(self, request):
        return access.can(request.user, self.action)

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, self.action, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    action = "reviews.view_review"
    list_display = ("pk", "kind", "channel", "level", "department", "real_name", "excluded", "at")
    list_filter = ("kind", "level", "real_name", "channel")
    list_select_related = ("department",)
    fields = (
        "kind", "channel", "case", "window", "center", "department", "staff", "level",
        "scores", "comment", "real_name", "excluded", "at",
    )  # fmt: skip
    readonly_fields = fields


class StepInline(admin.TabularInline):
    model = RectificationStep
    fields = ("at", "verb", "from_status", "to_status", "actor", "actor_label", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    action = "reviews.view_rectification"
    list_display = ("pk", "department", "status", "visit_due", "rectify_due", "escalated_at")
    list_filter = ("status",)
    list_select_related = ("department",)
    fields = (
        "review", "department", "window", "staff", "status", "visit_due", "rectify_due",
        "appeal_due", "visit_note", "rectify_note", "explain_note", "feedback_note",
        "appeal_note", "appeal_by_department", "rereview_note", "outcome", "escalated_at",
        "opened_at", "closed_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [StepInline]
