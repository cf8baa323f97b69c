"""Public pages of the catalog: browse, search, the guide in force, printable and older versions.

Views parse the request, ask ``search.search_items`` (lists) or ``services.published_guide``
(the version in force) and render; nothing here writes. Pages work without JavaScript.
"""

from collections import Counter
from functools import wraps

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tongban.catalog import search, services
from tongban.catalog.models import (
    AcceptancePoint,
    Guide,
    ItemType,
    ServiceItem,
    Topic,
)
from tongban.errors import NotFound
from tongban.org.models import Department, ServiceCenter

PAGE_SIZE = 20
MAX_PAGE = 1_000_000  # beyond, an OFFSET no longer fits the databases' integers
PUBLIC_STATUSES = (Guide.Status.PUBLISHED, Guide.Status.SUPERSEDED)

# What a page or the API shows of a guide; the in-force guide arrives prefetched from the
# services, and ``prefetch_related_objects`` then costs nothing for what is already loaded.
GUIDE_RELATIONS = (
    "item__base_item",
    "item__department",
    "steps",
    "materials",
    "acceptance_points__center",
    "windows__center",
    "joint_departments",
)
LIST_RELATIONS = ("current_guide", "base_item", "department")

ONLINE_FLAGS = {
    1: _("网上咨询"),
    2: _("网上收件"),
    3: _("网上预审"),
    4: _("网上受理"),
    5: _("网上办理"),
    6: _("网上反馈结果"),
    7: _("电子证照反馈"),
    8: _("其他"),
}
LABELS = {
    "apply_ways": services.APPLY_WAYS,
    "delivery_ways": services.DELIVERY_WAYS,
    "online_flags": ONLINE_FLAGS,
    "topics": dict(Topic.choices),
}

# Browse tabs: by department, by audience (个人办事 / 法人办事), by topic (life event).
TABS = {
    "department": _("按部门"),
    "person": _("个人办事"),
    "enterprise": _("法人办事"),
    "topic": _("按主题"),
}
AUDIENCES = {"person": _("个人办事"), "enterprise": _("法人办事")}


def labelled(kind: str, codes) -> list[dict]:
    """``[{"code", "label"}]`` for a guide's list of codes (apply ways, topics, flags …)."""
    names = LABELS[kind]
    found = []
    for code in codes or []:
        if kind == "online_flags" and str(code).isdigit():
            code = int(code)
        found.append({"code": code, "label": str(names.get(code, code))})
    return found


class ItemFilterForm(forms.Form):
    """The search box and filters of the search and browse pages (GET, no JavaScript)."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    department = forms.ChoiceField(label=_("实施部门"), required=False)
    item_type = forms.ChoiceField(
        label=_("事项类型"), required=False, choices=[("", _("全部")), *ItemType.choices]
    )
    service_object = forms.ChoiceField(
        label=_("服务对象"), required=False, choices=[("", _("全部")), *AUDIENCES.items()]
    )
    online_depth = forms.TypedChoiceField(
        label=_("网办深度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部")), *Guide.OnlineDepth.choices],
    )
    town = forms.ChoiceField(label=_("可就近办理的镇(街道)"), required=False)
    topic = forms.ChoiceField(
        label=_("主题"), required=False, choices=[("", _("全部")), *Topic.choices]
    )
    city_wide = forms.BooleanField(label=_("全市通办"), required=False)
    cross_province = forms.BooleanField(label=_("跨省通办"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    FILTERS = ("department", "item_type", "service_object", "online_depth", "town", "topic")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        departments = Department.objects.filter(is_active=True).values_list("code", "short_name")
        self.fields["department"].choices = [("", _("全部")), *departments]
        towns = ServiceCenter.objects.filter(level=ServiceCenter.Level.TOWN).values_list(
            "statistical_code", "division_name"
        )
        self.fields["town"].choices = [("", _("全部")), *towns]

    def search_args(self) -> dict:
        """The valid filters as ``search_items`` takes them; a bad value is dropped."""
        self.is_valid()
        data = self.cleaned_data
        args = {name: data[name] for name in self.FILTERS if data.get(name) not in (None, "")}
        for flag in ("city_wide", "cross_province"):
            if data.get(flag):
                args[flag] = True
        return {"q": (data.get("q") or "").strip(), **args}

    @property
    def page_number(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("page") or 1


def search_page(request):
    """``/search?q=…``: ranked results with filters and pagination."""
    form = ItemFilterForm(request.GET)
    args = form.search_args()
    results = _results(args, form)
    return render(
        request,
        "catalog/search.html",
        {"form": form, "q": args["q"], "results": results, "filtered": len(args) > 1},
    )


def browse(request):
    """``/items/``: the catalog by department, by audience or by topic (life event)."""
    tab = request.GET.get("by")
    tab = tab if tab in TABS else "department"
    form = ItemFilterForm(request.GET)
    args = form.search_args()
    args = {key: args[key] for key in ("department", "topic") if key in args}
    audience = tab if tab in AUDIENCES else None
    if audience:
        args["service_object"] = audience
    departments, topics = _facets(audience)
    chosen = bool(audience or args)
    return render(
        request,
        "catalog/browse.html",
        {
            "tab": tab,
            "tab_label": TABS[tab],
            "tabs": TABS,
            "departments": departments,
            "topics": topics,
            "department": next(
                (d for d, _n in departments if d.code == args.get("department")), None
            ),
            "topic": dict(Topic.choices).get(args.get("topic")),
            "results": _results({"q": "", **args}, form) if chosen else None,
        },
    )


def _not_found_page(view):
    """A missing guide or version answers 404 with a Chinese page that helps to search on."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            context = {"message": str(exc), "code": kwargs.get("code", "")}
            return render(request, "catalog/not_found.html", context, status=404)

    return wrapper


@_not_found_page
def guide_page(request, code: str):
    """``/items/<code>/``: the guide in force, every element it has.

    The page is the same for everyone but for its read-aloud control (it carries the
    session's CSRF token): the rest is rendered once per guide version and language and kept
    in the shared cache for ``CATALOG_GUIDE_PAGE_SECONDS``. Under load the guide page was the
    most requested page and a third of the anonymous CPU (docs/load.md). A new version in
    force is a new key; what else the page shows (the version history, the department's
    name) may lag by at most that long."""
    seconds = settings.CATALOG_GUIDE_PAGE_SECONDS
    guide_id = seconds and (
        ServiceItem.objects.filter(implementation_code=code, is_active=True)
        .values_list("current_guide_id", flat=True)
        .first()
    )
    if not guide_id:
        return render(request, "catalog/guide.html", _guide_context(_in_force(code)))
    key = f"catalog:guide-page:{guide_id}:{get_language()}"
    parts = cache.get(key)
    if parts is None:
        context = _guide_context(_in_force(code))
        parts = {
            "name": context["guide"].name,
            "head": render_to_string("catalog/_guide_head.html", context, request),
            "rest": render_to_string("catalog/_guide_rest.html", context, request),
        }
        cache.set(key, parts, seconds)
    context = {"parts": parts, "is_current": True}
    return render(request, "catalog/guide.html", context)


@_not_found_page
def guide_version(request, code: str, version: int):
    """``/items/<code>/versions/<n>/``: an older (or coming) published version, stays readable."""
    return render(request, "catalog/guide.html", _guide_context(_version(code, version)))


@_not_found_page
def guide_print(request, code: str, version: int | None = None):
    """A4 printable guide, for windows and citizens."""
    guide = _in_force(code) if version is None else _version(code, version)
    return render(request, "catalog/guide_print.html", _guide_context(guide))


def _results(args: dict, form: ItemFilterForm) -> dict:
    page = form.page_number
    found = search.search_items(**args, page=page, page_size=PAGE_SIZE)
    prefetch_related_objects(found.items, *LIST_RELATIONS)
    pages = max(1, -(-found.count // PAGE_SIZE))
    return {
        "count": found.count,
        "items": found.items,
        "page": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "window": range(max(1, page - 3), min(pages, page + 3) + 1),
    }


def _facets(audience: str | None) -> tuple[list, list]:
    """Departments and topics with the number of items in force, for the browse tabs."""
    rows = ServiceItem.objects.filter(is_active=True, current_guide__isnull=False)
    if audience:
        rows = rows.filter(current_guide__service_object__in=[audience, Guide.ServiceObject.BOTH])
    by_department, by_topic = Counter(), Counter()
    for department_id, topics in rows.values_list("department_id", "current_guide__topics"):
        by_department[department_id] += 1
        by_topic.update(set(topics or []))
    departments = [
        (department, by_department[department.pk])
        for department in Department.objects.filter(pk__in=by_department)
    ]
    topics = [
        {"code": code, "label": label, "count": by_topic[code]}
        for code, label in Topic.choices
        if by_topic[code]
    ]
    return departments, topics


def _in_force(code: str) -> Guide:
    try:
        guide = services.published_guide(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    prefetch_related_objects([guide], *GUIDE_RELATIONS)
    return guide


def _version(code: str, version: int) -> Guide:
    guide = (
        Guide.objects.filter(
            item__implementation_code=code, version=version, status__in=PUBLIC_STATUSES
        )
        .select_related("item__base_item", "item__department")
        .prefetch_related(
            "steps",
            "materials",
            Prefetch(
                "acceptance_points",
                queryset=AcceptancePoint.objects.select_related("center").order_by(
                    "center__statistical_code"
                ),
            ),
            "windows__center",
            "joint_departments",
        )
        .first()
    )
    if guide is None:
        raise Http404("没有这个版本的办事指南")
    return guide


def _guide_context(guide: Guide) -> dict:
    item = guide.item
    history = list(
        Guide.objects.filter(item=item, status__in=PUBLIC_STATUSES)
        .order_by("-version")
        .only("id", "item_id", "version", "status", "effective_from", "superseded_at")
    )
    materials = list(guide.materials.all())
    return {
        "guide": guide,
        "item": item,
        "base": item.base_item,
        "is_current": item.current_guide_id == guide.pk,
        "current": next((g for g in history if g.pk == item.current_guide_id), None),
        "history": history,
        "steps": list(guide.steps.all()),
        "steps_days": sum(step.days for step in guide.steps.all()),
        "materials": materials,
        "exemptible_count": sum(1 for material in materials if material.exemptible),
        "points": list(guide.acceptance_points.all()),
        "windows": list(guide.windows.all()),
        "joint_departments": list(guide.joint_departments.all()),
        "apply_ways": labelled("apply_ways", guide.apply_ways),
        "delivery_ways": labelled("delivery_ways", guide.delivery_ways),
        "online_flags": labelled("online_flags", guide.online_flags),
        "topics": labelled("topics", guide.topics),
    }
