"""The catalog in the admin, for catalog managers: items, guide versions, review, publication.

Every write goes through ``catalog.services``, so the consistency rules, the audit log and
``guide_published`` apply exactly as for imports. Drafts are edited with their steps,
materials and acceptance points inline; published and superseded versions are shown read-only.
Buttons on a version's page: 提交审核, 审核通过并发布 (with the effective date), 退回, 对比;
on an item's page: 新建修订版本 and the version history.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.audit.admin import AuditedModelAdmin
from tongban.catalog import services
from tongban.catalog.models import (
    AcceptancePoint,
    BaseItem,
    Guide,
    MaterialSpec,
    ProcessStep,
    ServiceItem,
    Topic,
)
from tongban.core import clock, uploads
from tongban.errors import TongbanError
from tongban.identity import access

DRAFT = Guide.Status.DRAFT


def error_message(exc: TongbanError):
    """The error as one Chinese message, listing each field's reasons (rules named)."""
    details = [message for messages_ in exc.fields.values() for message in messages_]
    if not details:
        return exc.message
    items = format_html_join("", "<li>{}</li>", ((d,) for d in details))
    return format_html("{}<ul>{}</ul>", exc.message, items)


def _can(request, action: str) -> bool:
    """``access.can`` for the signed-in account (tongban/catalog/access_rules.py)."""
    return access.can(request.user, action)


# --- base catalog -------------------------------------------------------------------------


@admin.register(BaseItem)
class BaseItemAdmin(AuditedModelAdmin):
    list_display = ("base_code", "name", "item_type", "level")
    list_filter = ("item_type", "level")
    search_fields = ("base_code", "name")


# --- items --------------------------------------------------------------------------------


class ServiceItemAddForm(forms.ModelForm):
    """A new item with the essentials of its first draft; the rest is filled on the draft."""

    name = forms.CharField(label=_("事项名称"), max_length=200)
    service_object = forms.ChoiceField(label=_("服务对象"), choices=Guide.ServiceObject.choices)
    case_type = forms.ChoiceField(label=_("办件类型"), choices=Guide.CaseType.choices)
    review_type = forms.ChoiceField(label=_("审查方式"), choices=Guide.ReviewType.choices)
    statutory_days = forms.IntegerField(
        label=_("法定办结时限(工作日)"), min_value=0, required=False
    )
    promised_days = forms.IntegerField(
        label=_("承诺办结时限(工作日)"), min_value=0, help_text=_("0 表示即办")
    )
    max_visits = forms.TypedChoiceField(
        label=_("到办事现场次数"), choices=[(0, "0"), (1, "1"), (2, "2")], coerce=int
    )
    online_depth = forms.TypedChoiceField(
        label=_("网办深度"), choices=Guide.OnlineDepth.choices, coerce=int
    )

    GUIDE_FIELDS = (
        "name",
        "service_object",
        "case_type",
        "review_type",
        "statutory_days",
        "promised_days",
        "max_visits",
        "online_depth",
    )

    class Meta:
        model = ServiceItem
        fields = ("implementation_code", "base_item", "department", "is_active")


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = (
        "implementation_code",
        "current_name",
        "department",
        "item_type",
        "current_version",
        "is_active",
    )
    list_filter = ("is_active", "base_item__item_type", "department")
    search_fields = ("implementation_code", "base_item__name", "current_guide__name")
    list_select_related = ("department", "base_item", "current_guide")
    autocomplete_fields = ("base_item", "department")
    change_form_template = "admin/catalog/serviceitem/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceItemAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*ServiceItemAddForm.Meta.fields, *ServiceItemAddForm.GUIDE_FIELDS]
        return ["implementation_code", "base_item", "department", "is_active", "versions"]

    def get_readonly_fields(self, request, obj=None):
        return ("implementation_code", "versions") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # An item is never deleted (cases pin its versions): take it out of use instead.
        return False

    @admin.display(description=_("事项名称"), ordering="current_guide__name")
    def current_name(self, item):
        return item.current_guide.name if item.current_guide_id else "—"

    @admin.display(description=_("事项类型"), ordering="base_item__item_type")
    def item_type(self, item):
        return item.base_item.get_item_type_display()

    @admin.display(description=_("现行版本"))
    def current_version(self, item):
        return f"v{item.current_guide.version}" if item.current_guide_id else _("未发布")

    @admin.display(description=_("版本历史"))
    def versions(self, item):
        guides = services.guide_history(item)
        rows = []
        for index, guide in enumerate(guides):
            older = guides[index + 1] if index + 1 < len(guides) else None
            compare = (
                format_html(
                    '<a href="{}?old={}&new={}">{}</a>',
                    reverse("admin:catalog_guide_compare"),
                    older.pk,
                    guide.pk,
                    _("与 v%(n)s 对比") % {"n": older.version},
                )
                if older
                else ""
            )
            rows.append(
                (
                    reverse("admin:catalog_guide_change", args=[guide.pk]),
                    f"v{guide.version}",
                    guide.get_status_display()
                    + (_("(现行)") if guide.pk == item.current_guide_id else ""),
                    guide.effective_from or "—",
                    compare,
                )
            )
        body = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("版本"),
            _("状态"),
            _("生效日期"),
            _("对比"),
        )
        return format_html('<table class="catalog-versions">{}{}</table>', head, body)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.update_item(
                obj,
                by=request.user,
                base_item=data["base_item"],
                department=data["department"],
                is_active=data["is_active"],
            )
            return
        item = services.create_item(
            implementation_code=data["implementation_code"],
            base_item=data["base_item"],
            department=data["department"],
            is_active=data["is_active"],
            by=request.user,
            **{name: data[name] for name in ServiceItemAddForm.GUIDE_FIELDS},
        )
        obj.pk = item.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """Nothing besides the item itself: its versions are edited on their own pages."""

    def response_add(self, request, obj, post_url_continue=None):
        draft = obj.guides.get()
        self.message_user(
            request,
            _("已创建事项及其草稿 v1,请补全办事指南后提交审核"),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:catalog_guide_change", args=[draft.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TongbanError as exc:
            messages.error(request, error_message(exc))
            return HttpResponseRedirect(request.get_full_path())

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revise/",
                self.admin_site.admin_view(require_POST(self.revise_view)),
                name="catalog_serviceitem_revise",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        context["can_revise"] = _can(request, "catalog.edit")
        return super().render_change_form(request, context, add, change, **kwargs)

    def revise_view(self, request, object_id):
        if not _can(request, "catalog.edit"):
            raise DjangoPermissionDenied
        item = get_object_or_404(ServiceItem, pk=object_id)
        try:
            draft = services.start_revision(item, by=request.user)
        except TongbanError as exc:
            messages.error(request, error_message(exc))
            return HttpResponseRedirect(reverse("admin:catalog_serviceitem_change", args=[item.pk]))
        messages.success(request, _("已新建修订版本 v%(n)s(草稿)") % {"n": draft.version})
        return HttpResponseRedirect(reverse("admin:catalog_guide_change", args=[draft.pk]))


# --- guide versions -----------------------------------------------------------------------


class DraftOnlyInline:
    """Rows of a version are added, changed and removed only while it is a draft."""

    extra = 0

    def _editable(self, request, obj) -> bool:
        return _can(request, "catalog.edit") and (obj is None or obj.status == DRAFT)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class StepInline(DraftOnlyInline, admin.TabularInline):
    model = ProcessStep
    fields = ("order", "name", "days", "description")
    ordering = ("order",)


# Guide attachments the public downloads (blank forms, samples, the result's sample): the
# shared upload check (tongban.core.uploads): allowed kinds, a size limit, content sniffing.
ATTACHMENT_KINDS = ("pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpeg", "png")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def checked_attachment(form, name: str):
    """A newly uploaded file of field ``name`` checked; a file already stored passes."""
    value = form.cleaned_data.get(name)
    if isinstance(value, UploadedFile):
        label = str(form.fields[name].label)
        problem = uploads.problem(
            value, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES, label=label
        )
        if problem:
            raise forms.ValidationError(problem)
    return value


class MaterialSpecForm(forms.ModelForm):
    class Meta:
        model = MaterialSpec
        fields = ("blank_form", "sample")  # the inline names the rest

    def clean_blank_form(self):
        return checked_attachment(self, "blank_form")

    def clean_sample(self):
        return checked_attachment(self, "sample")


class MaterialInline(DraftOnlyInline, admin.StackedInline):
    model = MaterialSpec
    form = MaterialSpecForm
    fields = (
        ("order", "name"),
        ("source", "source_note"),
        ("copies", "medium", "requirement"),
        "condition",
        ("blank_form", "sample"),
        ("license_type_code", "shared_data_item"),
        "notes",
    )
    ordering = ("order",)


class AcceptancePointInline(DraftOnlyInline, admin.TabularInline):
    model = AcceptancePoint
    fields = ("center", "mode")
    autocomplete_fields = ("center",)


class GuideForm(forms.ModelForm):
    """The list-valued elements as checkboxes; their contents checked as the services do."""

    apply_ways = forms.MultipleChoiceField(
        label=_("申请方式"),
        choices=list(services.APPLY_WAYS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivery_ways = forms.MultipleChoiceField(
        label=_("送达方式"),
        choices=list(services.DELIVERY_WAYS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    online_flags = forms.TypedMultipleChoiceField(
        label=_("网上办理环节"),
        choices=[
            (1, "1 咨询"),
            (2, "2 收件"),
            (3, "3 预审"),
            (4, "4 受理"),
            (5, "5 办理"),
            (6, "6 结果反馈"),
            (7, "7 证照反馈"),
            (8, "8 其他"),
        ],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = forms.MultipleChoiceField(
        label=_("主题分类"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Guide
        fields = ("change_note", *services.ELEMENT_FIELDS, *services.M2M_FIELDS)

    def clean_result_sample(self):
        return checked_attachment(self, "result_sample")

    def _post_clean(self):
        super()._post_clean()
        for name, message in services.list_errors(self.instance):
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)


FIELDSETS = (
    (_("基本信息"), ("name", "keywords", "service_object", "case_type", "review_type")),
    (_("受理条件与依据"), ("acceptance_conditions", "legal_basis")),
    (_("时限"), ("statutory_days", "promised_days")),
    (
        _("到现场次数与网办"),
        ("max_visits", "visit_reason", "online_depth", "online_flags", "is_secret"),
    ),
    (_("收费"), ("charges_fee", "fee_basis", "fee_standard", "fee_items", "online_payment")),
    (_("办理结果"), ("result_name", "result_type", "result_sample")),
    (
        _("办理方式与送达"),
        ("apply_ways", "delivery_ways", "location", "windows", "hours"),
    ),
    (
        _("咨询、监督、救济"),
        (
            "consult_phone",
            "consult_address",
            "complaint_channel",
            "review_channel",
            "litigation_channel",
        ),
    ),
    (
        _("其他要素"),
        (
            "joint_departments",
            "intermediary_services",
            "faq",
            "topics",
            "city_wide",
            "cross_province",
        ),
    ),
    (_("申请表单定义"), ("form_schema",)),
)
LIFECYCLE = (
    "item",
    "version",
    "status",
    "effective_from",
    "published_at",
    "superseded_at",
    "submitted_by",
    "reviewed_by",
)


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    form = GuideForm
    list_display = (
        "name",
        "item_code",
        "version_label",
        "status",
        "effective_from",
        "published_at",
        "department",
    )
    list_filter = ("status", "item__department")
    search_fields = ("name", "item__implementation_code")
    list_select_related = ("item", "item__department")
    autocomplete_fields = ("windows", "joint_departments")
    readonly_fields = LIFECYCLE
    fieldsets = (
        (_("版本"), {"fields": (*LIFECYCLE, "change_note")}),
        *((title, {"fields": fields}) for title, fields in FIELDSETS),
    )
    inlines = (StepInline, MaterialInline, AcceptancePointInline)
    change_form_template = "admin/catalog/guide/change_form.html"

    # --- permissions: a version is edited only while it is a draft

    def has_add_permission(self, request):
        # Versions come from a new item (v1) or from 新建修订版本 on the item.
        return False

    def has_change_permission(self, request, obj=None):
        allowed = _can(request, "catalog.edit")
        return allowed and (obj is None or obj.status == DRAFT)

    def has_delete_permission(self, request, obj=None):
        # Only an unpublished revision may be thrown away (services.discard_draft).
        return (
            obj is not None
            and obj.status in services.OPEN_STATUSES
            and _can(request, "catalog.discard")
            and obj.item.guides.exclude(pk=obj.pk).exists()
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- list columns

    @admin.display(description=_("实施编码"), ordering="item__implementation_code")
    def item_code(self, guide):
        return guide.item.implementation_code

    @admin.display(description=_("版本号"), ordering="version")
    def version_label(self, guide):
        return f"v{guide.version}"

    @admin.display(description=_("实施部门"), ordering="item__department")
    def department(self, guide):
        return guide.item.department

    # --- saving through the services

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_FIELDS
        }
        for name in services.M2M_FIELDS:
            if name in fields:
                fields[name] = list(fields[name])
        services.update_draft(obj, by=request.user, **fields)

    def save_related(self, request, form, formsets, change):
        setters = {
            ProcessStep: (services.set_steps, services.STEP_FIELDS),
            MaterialSpec: (services.set_materials, services.MATERIAL_FIELDS),
            AcceptancePoint: (services.set_acceptance_points, services.POINT_FIELDS),
        }
        for formset in formsets:
            if not formset.has_changed():
                continue
            setter, fields = setters[formset.model]
            setter(form.instance, _rows(formset, fields), by=request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        # Inline rows are replaced by the services, not saved by the formsets; the audit
        # log itemises them.
        return super().construct_change_message(request, form, None, add)

    def delete_model(self, request, obj):
        services.discard_draft(obj, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TongbanError as exc:
            messages.error(request, error_message(exc))
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(self, request, context, add=False, change=False, **kwargs):
        guide = context.get("original")
        if guide is not None:
            context.update(_buttons(request, guide))
        return super().render_change_form(request, context, add, change, **kwargs)

    # --- review buttons and the compare page

    def get_urls(self):
        own = [
            ("compare/", self.compare_view, "catalog_guide_compare"),
            ("<path:object_id>/submit/", require_POST(self.submit_view), "catalog_guide_submit"),
            ("<path:object_id>/publish/", self.publish_view, "catalog_guide_publish"),
            ("<path:object_id>/reject/", self.reject_view, "catalog_guide_reject"),
        ]
        return [
            path(route, self.admin_site.admin_view(fn), name=name) for route, fn, name in own
        ] + super().get_urls()

    def _guide(self, request, object_id, action: str) -> Guide:
        """The version, or 403 for an account without the permissions the action needs."""
        if not _can(request, action):
            raise DjangoPermissionDenied
        return get_object_or_404(
            Guide.objects.select_related("item__base_item", "item__department"), pk=object_id
        )

    def _back(self, guide: Guide):
        return HttpResponseRedirect(reverse("admin:catalog_guide_change", args=[guide.pk]))

    def submit_view(self, request, object_id):
        guide = self._guide(request, object_id, "catalog.edit")
        try:
            services.submit(guide, by=request.user)
        except TongbanError as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("%(guide)s 已提交审核") % {"guide": guide})
        return self._back(guide)

    def publish_view(self, request, object_id):
        guide = self._guide(request, object_id, "catalog.publish")
        form = PublishForm(request.POST or None, initial={"effective_from": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                services.publish(
                    guide, by=request.user, effective_from=form.cleaned_data["effective_from"]
                )
            except TongbanError as exc:
                messages.error(request, error_message(exc))
                return self._back(guide)
            messages.success(request, _published_message(guide))
            return self._back(guide)
        return self._page(
            request,
            guide,
            "admin/catalog/guide/publish.html",
            _("审核通过并发布"),
            form=form,
            violations=services.check(guide),
            changes=_changes_from_current(guide),
        )

    def reject_view(self, request, object_id):
        guide = self._guide(request, object_id, "catalog.publish")
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.reject(guide, by=request.user, reason=form.cleaned_data["reason"])
            except TongbanError as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, _("%(guide)s 已退回修改") % {"guide": guide})
            return self._back(guide)
        return self._page(
            request, guide, "admin/catalog/guide/reject.html", _("退回修改"), form=form
        )

    def compare_view(self, request):
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        old = get_object_or_404(Guide.objects.select_related("item"), pk=request.GET.get("old"))
        new = get_object_or_404(Guide.objects.select_related("item"), pk=request.GET.get("new"))
        if old.item_id != new.item_id:
            messages.error(request, _("只能对比同一事项的两个版本"))
            return self._back(new)
        return self._page(
            request,
            new,
            "admin/catalog/guide/compare.html",
            _("版本对比"),
            old=old,
            new=new,
            versions=services.guide_history(new.item),
            changes=services.compare(old, new),
        )

    def _page(self, request, guide, template, title, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "guide": guide,
                "item": guide.item,
                **context,
            },
        )


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label=_("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("今天或更早:立即生效,替代现行版本;以后的日期:到期自动生效"),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 4}))


def _rows(formset, fields) -> list[dict]:
    """The rows a formset leaves, in their ``order`` (new rows without one go last)."""
    kept = []
    for index, form in enumerate(formset.forms):
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.instance.pk is None and not form.has_changed():
            continue
        order = form.cleaned_data.get("order")
        row = {name: getattr(form.instance, name) for name in fields}
        kept.append((order if order is not None else 10_000 + index, index, row))
    return [row for _order, _index, row in sorted(kept, key=lambda k: (k[0], k[1]))]


def _buttons(request, guide: Guide) -> dict:
    can_edit = _can(request, "catalog.edit")
    can_review = _can(request, "catalog.publish")
    current = guide.item.current_guide_id
    return {
        "can_submit": can_edit and guide.status == DRAFT,
        "can_publish": can_review and guide.status == Guide.Status.SUBMITTED,
        "can_reject": can_review and guide.status == Guide.Status.SUBMITTED,
        "compare_url": (
            f"{reverse('admin:catalog_guide_compare')}?old={current}&new={guide.pk}"
            if current and current != guide.pk
            else ""
        ),
        "item_url": reverse("admin:catalog_serviceitem_change", args=[guide.item_id]),
        "violations": services.check(guide) if guide.status == DRAFT else [],
    }


def _changes_from_current(guide: Guide):
    current = guide.item.current_guide
    if current is None or current.pk == guide.pk:
        return None
    return services.compare(current, guide)


def _published_message(guide: Guide) -> str:
    guide.refresh_from_db()
    if guide.effective_from and guide.effective_from > clock.today():
        return _("%(guide)s 已发布,将于 %(day)s 生效") % {
            "guide": guide,
            "day": guide.effective_from,
        }
    return _("%(guide)s 已发布并生效") % {"guide": guide}
