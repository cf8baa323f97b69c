"""Admin pages: the holiday schedule (bulk entry of a year) and a read-only case list.

A year's schedule is entered at once, as the State Council publishes it: the holidays and
the adjusted workdays as text, or an Excel sheet (date + 放假/上班). Single rows are not
edited by hand: every entry goes through ``schedules.enter_schedule`` (audited).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from tongban.cases import schedules
from tongban.cases.models import Case, HolidaySchedule
from tongban.core.paginators import EstimatedCountPaginator
from tongban.core.pii import mask
from tongban.errors import InvalidInput
from tongban.identity import access


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=_("放假日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行或以逗号分隔一个日期,连续日期可写作 2027-02-06~2027-02-12"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("周末调休上班的日期"),
    )
    file = forms.FileField(
        label=_("或上传 Excel"),
        required=False,
        help_text=_("第一列日期,第二列“放假”或“上班”;上传后以文件为准"),
    )


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "year", "entered_by", "entered_at")
    list_filter = ("year", "kind")
    change_list_template = "admin/cases/holidayschedule/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        may_enter = access.can(request.user, "cases.enter_schedule")
        return super().changelist_view(request, {**(extra_context or {}), "may_enter": may_enter})

    def get_urls(self):
        return [
            path(
                "enter/",
                self.admin_site.admin_view(self.enter_view),
                name="cases_holidayschedule_enter",
            ),
            *super().get_urls(),
        ]

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "cases.view_schedule", obj)

    def enter_view(self, request):
        if not access.can(request.user, "cases.enter_schedule"):
            raise DjangoPermissionDenied
        form = ScheduleForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                year, recomputed = self._enter(request, form.cleaned_data)
            except InvalidInput as error:
                for field, problems in error.fields.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    _("已录入 %(year)s 年节假日安排,重新计算了 %(count)s 件办件的办结日期")
                    % {"year": year, "count": recomputed},
                )
                return redirect(reverse("admin:cases_holidayschedule_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("录入年度节假日安排"),
            "form": form,
        }
        return TemplateResponse(request, "admin/cases/holidayschedule/enter.html", context)

    def _enter(self, request, data) -> tuple[int, int]:
        year = data["year"]
        if data.get("file"):
            holidays, workdays = schedules.read_workbook(data["file"])
        else:
            holidays = schedules.parse_dates(data["holidays"], field="holidays")
            workdays = schedules.parse_dates(data["workdays"], field="workdays")
        count = schedules.enter_schedule(
            year=year, holidays=holidays, workdays=workdays, by=request.user
        )
        return year, count


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change through the services (the workbench), never here."""

    list_display = ("number", "masked_applicant", "status", "channel", "department", "accepted_on")
    list_filter = ("status", "channel")
    search_fields = ("number",)
    show_full_result_count = False
    # At a million cases an exact COUNT(*) per page costs most of a second (core.paginators).
    paginator = EstimatedCountPaginator
    fields = (
        "number",
        "item",
        "guide",
        "masked_applicant",
        "channel",
        "window",
        "center",
        "status",
        "department",
        "accepted_on",
        "promised_due",
        "statutory_due",
        "due_provisional",
        "extension_days",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("department")
        return access.scope(request.user, "cases.view", rows)

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "cases.view", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("申请人"))
    def masked_applicant(self, obj):
        return mask(obj.applicant_name, "name")
