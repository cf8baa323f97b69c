"""Process definitions in the admin: upload a BPMN file (with DMN tables); instances and
tasks read-only. Uploads go through ``services.deploy`` (validation, versioning, audit)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.audit.admin import AuditedModelAdmin
from tongban.errors import TongbanError
from tongban.workflow import services, validation
from tongban.workflow.models import ProcessDefinition, ProcessInstance, Task


class UploadForm(forms.ModelForm):
    bpmn_file = forms.FileField(
        label=_("BPMN 文件"), help_text=_("bpmn.io 或 Camunda Modeler 导出的 .bpmn 文件")
    )
    dmn_file = forms.FileField(
        label=_("DMN 决策表"), required=False, help_text=_("业务规则任务引用的 .dmn 文件(可选)")
    )

    class Meta:
        model = ProcessDefinition
        fields = ("key", "name")

    def clean(self):
        cleaned = super().clean()
        try:
            self.bpmn_text = _text(cleaned.get("bpmn_file"))
            dmn = cleaned.get("dmn_file")
            self.dmn_texts = [_text(dmn)] if dmn else []
            validation.validate(self.bpmn_text, self.dmn_texts)
        except TongbanError as error:
            details = [line for lines in error.fields.values() for line in lines]
            raise forms.ValidationError([error.message, *details]) from error
        return cleaned


def _text(upload) -> str:
    if upload is None:
        return ""
    if upload.size > validation.MAX_BYTES:
        raise TongbanError("文件超过 1 MB", "The file is larger than 1 MB")
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise TongbanError("文件应为 UTF-8 编码的 XML", "The file must be UTF-8 XML") from error


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(AuditedModelAdmin):
    list_display = (
        "key",
        "version",
        "name",
        "process_id",
        "is_template",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("is_template", "key")
    search_fields = ("key", "name", "process_id")
    readonly_fields = (
        "key",
        "version",
        "name",
        "process_id",
        "digest",
        "is_template",
        "uploaded_by",
        "created_at",
        "tasks",
        "bpmn_xml",
        "dmn_xml",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("key", "name", "bpmn_file", "dmn_file")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # A new version through the service: validated, numbered and audited there.
        definition = services.deploy(
            form.bpmn_text,
            key=form.cleaned_data["key"],
            name=form.cleaned_data["name"],
            by=request.user,
            dmn=form.dmn_texts,
        )
        obj.__dict__.update({k: v for k, v in definition.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "subject",
        "definition",
        "status",
        "end_event",
        "created_at",
        "state_size",
    )
    list_filter = ("status", "definition__key")
    search_fields = ("=subject",)
    list_select_related = ("definition",)
    show_full_result_count = False
    exclude = ("state",)

    @admin.display(description=_("状态大小(字节)"))
    def state_size(self, instance):
        return len(instance.state.encode())


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "title",
        "instance",
        "role",
        "department",
        "status",
        "due_at",
        "completed_by",
    )
    list_filter = ("status", "role")
    list_select_related = ("instance__definition", "department", "completed_by")
    show_full_result_count = False
