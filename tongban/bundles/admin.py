"""一件事 in the admin: catalog administrators build bundles from catalog items and publish
them in versions (like guides); staff look at filings read-only.

A draft is edited with its items inline (item, order, condition JSON, prerequisites among
the bundle's own items) and its questionnaire as JSON; the actions 发布 and 新建版本 go
through ``publishing`` (checks, retiring the previous version, audit). Published and
retired versions are read-only. Filings (``BundleCase``) are listed for staff of a
department handling one of their items, and for supervisors (``admin_rules``).
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tongban.audit import services as audit
from tongban.audit.admin import AuditedModelAdmin
from tongban.bundles import admin_rules, publishing  # noqa: F401  (admin_rules: the rules)
from tongban.bundles.models import Bundle, BundleCase, BundleChild, BundleItem
from tongban.core.paginators import EstimatedCountPaginator
from tongban.core.pii import mask
from tongban.errors import TongbanError
from tongban.identity import access

DRAFT = Bundle.Status.DRAFT
PARENT = "_bundles_parent"


def _can(request, action: str, obj=None) -> bool:
    return access.can(request.user, action, obj)


def error_message(exc: TongbanError):
    """The error as one message listing each field's reasons."""
    details = [message for found in exc.fields.values() for message in found]
    if not details:
        return exc.message
    return format_html(
        "{}<ul>{}</ul>", exc.message, format_html_join("", "<li>{}</li>", ((d,) for d in details))
    )


# --- bundles ------------------------------------------------------------------------------


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    fields = ("item", "order", "condition", "depends_on")
    autocomplete_fields = ("item",)
    ordering = ("order",)
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        setattr(request, PARENT, obj)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "depends_on":
            parent = getattr(request, PARENT, None)
            kwargs["queryset"] = BundleItem.objects.filter(
                bundle_id=parent.pk if parent else None
            ).select_related("bundle", "item")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _editable(self, request, obj) -> bool:
        return _can(request, "bundles.edit") and (obj is None or obj.status == DRAFT)

    def has_view_permission(self, request, obj=None):
        return _can(request, "bundles.edit")

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class BundleForm(forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ("code", "name", "description", "promised_days", "questions")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance.pk is None and Bundle.objects.filter(code=code).exists():
            raise forms.ValidationError(_("该编码已有一件事,请在已有版本上“新建版本”"))
        return code

    def clean_questions(self):
        questions = self.cleaned_data["questions"]
        if not isinstance(questions, list):
            raise forms.ValidationError(_("情形引导应为问题列表(JSON 数组)"))
        return questions


@admin.register(Bundle)
class BundleAdmin(AuditedModelAdmin):
    form = BundleForm
    list_display = ("code", "version", "name", "status", "promised_days", "published_at")
    list_filter = ("status",)
    search_fields = ("code", "name")
    inlines = (BundleItemInline,)
    actions = ("publish_selected", "new_version_selected")

    def get_fields(self, request, obj=None):
        editable = ["code", "name", "description", "promised_days", "questions"]
        if obj is None:
            return editable
        return ["version", "status", "published_at", *editable, "checks"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status != DRAFT:
            return self.get_fields(request, obj)
        return ("code", "version", "status", "published_at", "checks")

    # --- permissions: the catalog administrator; a version is edited while it is a draft

    def has_module_permission(self, request):
        return _can(request, "bundles.edit")

    def has_view_permission(self, request, obj=None):
        return _can(request, "bundles.edit", obj)

    def has_add_permission(self, request):
        return _can(request, "bundles.edit")

    def has_change_permission(self, request, obj=None):
        return _can(request, "bundles.edit", obj) and (obj is None or obj.status == DRAFT)

    def has_delete_permission(self, request, obj=None):
        # A draft may be thrown away; published versions are what filings point at.
        return obj is not None and obj.status == DRAFT and _can(request, "bundles.edit", obj)

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    # --- what a draft still lacks

    @admin.display(description=_("发布检查"))
    def checks(self, bundle):
        if bundle.status != DRAFT:
            return "—"
        errors = publishing.validate(bundle)
        if not errors:
            return _("通过,可以发布")
        lines = ((message,) for found in errors.values() for message in found)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", lines))

    def save_related(self, request, form, formsets, change):
        changed = any(formset.has_changed() for formset in formsets)
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            if changed:
                count = form.instance.items.count()
                audit.record(
                    request.user,
                    "bundles.bundle.items",
                    form.instance,
                    changes={"items": [None, count]},
                    request=request,
                )

    # --- actions

    @admin.action(description=_("发布"))
    def publish_selected(self, request, queryset):
        self._each(request, queryset, publishing.publish, _("%(bundle)s 已发布"))

    @admin.action(description=_("新建版本"))
    def new_version_selected(self, request, queryset):
        self._each(request, queryset, publishing.new_version, _("已新建草稿 %(bundle)s"))

    def _each(self, request, queryset, step, done) -> None:
        for bundle in queryset.order_by("code", "version"):
            try:
                made = step(bundle, by=request.user)
            except TongbanError as exc:
                self.message_user(
                    request, format_html("{}:{}", bundle, error_message(exc)), messages.ERROR
                )
            else:
                self.message_user(request, done % {"bundle": made}, messages.SUCCESS)


# --- filings ------------------------------------------------------------------------------


class BundleChildInline(admin.TabularInline):
    model = BundleChild
    fields = ("item_name", "department", "case_number", "case_status", "cancelled")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "bundle_item__item__current_guide", "bundle_item__item__department", "case"
            )
        )

    def has_view_permission(self, request, obj=None):
        # Shown on a filing the parent admin already let this account see.
        return _can(request, "bundles.admin_view_case", obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("事项"))
    def item_name(self, child):
        return child.bundle_item.item.current_guide.name

    @admin.display(description=_("承办部门"))
    def department(self, child):
        return child.bundle_item.item.department.name

    @admin.display(description=_("办件编号"))
    def case_number(self, child):
        return child.case.number if child.case_id else "—"

    @admin.display(description=_("办理状态"))
    def case_status(self, child):
        if child.case_id:
            return child.case.get_status_display()
        return _("不再办理") if child.cancelled else _("等待前置事项")


@admin.register(BundleCase)
class BundleCaseAdmin(admin.ModelAdmin):
    """Read-only: filings change through the services, never here."""

    list_display = ("number", "bundle", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("=number",)
    list_select_related = ("bundle",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = (
        "number",
        "bundle",
        "masked_applicant",
        "channel",
        "status",
        "delivery_method",
        "submitted_at",
        "concluded_at",
    )
    readonly_fields = fields
    inlines = (BundleChildInline,)

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("bundle", "applicant")
        return access.scope(request.user, "bundles.admin_view_case", rows)

    def has_module_permission(self, request):
        return _can(request, "bundles.admin_view_case")

    def has_view_permission(self, request, obj=None):
        return _can(request, "bundles.admin_view_case", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("申请人"))
    def masked_applicant(self, obj):
        return mask(obj.applicant.get_full_name(), "name")
