"""The self-evaluation indicators (DESIGN.md §4), computed from live data.

``compute(scope)`` answers every indicator for the county, one department or one town: its
value against the plan's target, with the numerator and denominator it comes from. Each
figure is a handful of aggregate queries (COUNT/SUM with filters), the same SQL on SQLite
and PostgreSQL; nothing walks the cases row by row. ``gap(key, scope)`` is the queryset of
the items, villages, cases or materials behind a figure's shortfall (the drill-down).

Scopes: a department's items are the items it implements (``ServiceItem.department``) and
its cases; a town's items are those with an acceptance point at the town's center, its
cases those filed at the town's center or one of its village stations.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from tongban.bundles.models import BundleCase
from tongban.cases.models import Case, Channel, Material
from tongban.catalog.models import AcceptancePoint, Guide, ItemType, ServiceItem
from tongban.org.models import Department, ServiceCenter, Window

PERCENT, COUNT, DAYS = "percent", "count", "days"


@dataclasses.dataclass(frozen=True)
class Scope:
    """The county (both empty), one department or one town (its center)."""

    department: Department | None = None
    town: ServiceCenter | None = None

    @property
    def kind(self) -> str:
        return "department" if self.department else "town" if self.town else "county"

    @property
    def code(self) -> str:
        if self.department:
            return self.department.code
        if self.town:
            return self.town.statistical_code or ""
        return ""

    @property
    def label(self) -> str:
        if self.department:
            return self.department.short_name or self.department.name
        if self.town:
            return self.town.division_name or self.town.name
        return str(_("全县"))


COUNTY = Scope()


@dataclasses.dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    value: float | None
    target: float | None
    met: bool | None
    numerator: int
    denominator: int
    unit: str = PERCENT
    kind: str = "item"  # item (§4 indicator) or case (case figure)
    gap_of: str = ""  # what the drill-down lists: items, villages, cases, materials

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "value": self.value,
            "target": self.target,
            "met": self.met,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


@dataclasses.dataclass(frozen=True)
class Definition:
    key: str
    name: str
    target: float | None
    unit: str
    kind: str
    gap_of: str
    lower_is_better: bool = False


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition("online_full", "全程网办率", 0.85, PERCENT, "item", "items"),
        Definition("time_compression", "承诺时限压缩率", 0.70, PERCENT, "item", "items"),
        Definition("one_visit", "最多跑一次比例", 0.95, PERCENT, "item", "items"),
        Definition("instant", "马上办比例", 0.70, PERCENT, "item", "items"),
        Definition("bad_review_rectified", "实名差评整改率", 1.0, PERCENT, "item", ""),
        Definition("city_wide", "全市通办事项数", 50, COUNT, "item", "items"),
        Definition("village_proxy", "村(社区)帮办代办覆盖率", 0.90, PERCENT, "item", "villages"),
        Definition("one_window", "一窗受理比例", 1.0, PERCENT, "item", "items"),
        Definition("online_application", "网上申请率", None, PERCENT, "case", "cases"),
        Definition("on_time", "按时办结率", 1.0, PERCENT, "case", "cases"),
        Definition("handling_days", "平均办理工作日", None, DAYS, "case", "cases", True),
        Definition("materials_exempted", "材料免提交率", None, PERCENT, "case", "materials"),
        Definition("bundle_concluded", "一件事办结率", None, PERCENT, "case", ""),
        Definition("rating_rate", "办件评价率", None, PERCENT, "case", ""),
        Definition("satisfaction", "好评率(满意度)", None, PERCENT, "case", ""),
    )
}
KEYS = tuple(DEFINITIONS)


def targets() -> dict[str, float | None]:
    """The plan's targets; ``METRICS_TARGETS`` (optional setting) overrides some."""
    found = {key: d.target for key, d in DEFINITIONS.items()}
    found.update(getattr(settings, "METRICS_TARGETS", {}) or {})
    return found


# ---------------------------------------------------------------- scopes


def items(scope: Scope = COUNTY) -> QuerySet:
    """Items in force: active, with a published current guide."""
    rows = ServiceItem.objects.filter(is_active=True, current_guide__status=Guide.Status.PUBLISHED)
    if scope.department:
        rows = rows.filter(department=scope.department)
    if scope.town:
        rows = rows.filter(
            Exists(
                AcceptancePoint.objects.filter(
                    guide_id=OuterRef("current_guide_id"), center=scope.town
                )
            )
        )
    return rows


def town_centers(town: ServiceCenter) -> list[int]:
    return [town.pk, *town.children.values_list("pk", flat=True)]


def cases(scope: Scope = COUNTY) -> QuerySet:
    """Submitted cases (drafts never reached a clerk)."""
    rows = Case.objects.filter(submitted_at__isnull=False)
    if scope.department:
        rows = rows.filter(department=scope.department)
    if scope.town:
        rows = rows.filter(center__in=town_centers(scope.town))
    return rows


def villages(scope: Scope = COUNTY) -> QuerySet:
    rows = ServiceCenter.objects.filter(level=ServiceCenter.Level.VILLAGE)
    if scope.town:
        rows = rows.filter(parent=scope.town)
    return rows


def _proxy_points(scope: Scope) -> QuerySet:
    """Assisted (帮办代办) acceptance points of items in force at village stations."""
    return AcceptancePoint.objects.filter(
        mode=AcceptancePoint.Mode.ASSISTED,
        guide_id__in=items(Scope(department=scope.department)).values("current_guide_id"),
    )


def _window_filters(scope: Scope) -> tuple[Q, Q]:
    """Items with a window in the center (county center, or the town's), and those among
    them with a comprehensive window."""
    center = Q(center=scope.town) if scope.town else Q(center__level=ServiceCenter.Level.COUNTY)
    windows = Window.objects.filter(center, guides=OuterRef("current_guide_id"))
    comprehensive = windows.filter(window_type=Window.Type.COMPREHENSIVE)
    return Q(Exists(windows)), Q(Exists(comprehensive))


# ---------------------------------------------------------------- computing


def _ratio(numerator, denominator) -> float | None:
    return numerator / denominator if denominator else None


def _make(key: str, numerator, denominator, value=..., target=...) -> Indicator:
    definition = DEFINITIONS[key]
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    if value is ...:
        value = _ratio(numerator, denominator)
        if value is not None and definition.unit == PERCENT:
            value = round(value, 4)
    if target is ...:
        target = targets().get(key)
    met = None
    if value is not None and target is not None:
        met = value <= target if definition.lower_is_better else value >= target
    return Indicator(
        key=key,
        name=definition.name,
        value=value,
        target=target,
        met=met,
        numerator=numerator,
        denominator=denominator,
        unit=definition.unit,
        kind=definition.kind,
        gap_of=definition.gap_of,
    )


def item_figures(scope: Scope = COUNTY) -> list[Indicator]:
    has_window, has_comprehensive = _window_filters(scope)
    lic = _LICENSING
    found = items(scope).aggregate(
        total=Count("pk"),
        suitable=Count("pk", filter=Q(current_guide__is_secret=False)),
        full=Count("pk", filter=Q(current_guide__is_secret=False, current_guide__online_depth=4)),
        statutory=Sum("current_guide__statutory_days", filter=lic),
        promised=Sum("current_guide__promised_days", filter=lic),
        one_visit=Count("pk", filter=Q(current_guide__max_visits__lte=1)),
        instant=Count("pk", filter=Q(current_guide__promised_days=0)),
        city_wide=Count("pk", filter=Q(current_guide__city_wide=True)),
        in_center=Count("pk", filter=has_window),
        comprehensive=Count("pk", filter=has_window & has_comprehensive),
    )
    statutory, promised = found["statutory"] or 0, found["promised"] or 0
    village_rows = villages(scope)
    covered = village_rows.filter(
        Exists(_proxy_points(scope).filter(center=OuterRef("pk")))
    ).count()
    rectified, bad = bad_review_figures(scope)
    return [
        _make("online_full", found["full"], found["suitable"]),
        _make("time_compression", statutory - promised, statutory),
        _make("one_visit", found["one_visit"], found["total"]),
        _make("instant", found["instant"], found["total"]),
        _make("bad_review_rectified", rectified, bad),
        _make("city_wide", found["city_wide"], found["total"], value=found["city_wide"]),
        _make("village_proxy", covered, village_rows.count()),
        _make("one_window", found["comprehensive"], found["in_center"]),
    ]


# Licensing items whose statutory limit is known (压缩率 is meaningless without it).
_LICENSING = Q(
    base_item__item_type=ItemType.LICENSING,
    current_guide__statutory_days__gt=0,
)


def case_figures(scope: Scope = COUNTY) -> list[Indicator]:
    rows = cases(scope)
    found = rows.aggregate(
        submitted=Count("pk"),
        online=Count("pk", filter=Q(channel__in=[Channel.WEB, Channel.MOBILE])),
    )
    done = concluded_figures(rows)
    materials = Material.objects.filter(case__in=rows, superseded=False).aggregate(
        total=Count("pk"),
        exempted=Count("pk", filter=~Q(source=Material.Source.UPLOAD)),
    )
    bundle = bundle_figures(scope)
    ratings = rating_figures(scope)
    handled = done["handled"]
    return [
        _make("online_application", found["online"], found["submitted"]),
        _make("on_time", done["on_time"], done["with_due"]),
        _make(
            "handling_days",
            done["worked"],
            handled,
            value=round(done["worked"] / handled, 2) if handled else None,
            target=round(done["promised"] / handled, 2) if handled else None,
        ),
        _make("materials_exempted", materials["exempted"], materials["total"]),
        _make("bundle_concluded", bundle["concluded"], bundle["filed"]),
        _make("rating_rate", ratings["rated_cases"], ratings["cases_concluded"]),
        _make("satisfaction", ratings["good"], ratings["reviews"]),
    ]


def concluded_figures(rows: QuerySet) -> dict:
    """Figures of the concluded cases among ``rows``: ``with_due`` (those with a promised
    date), ``on_time`` (concluded on or before it, local date), ``handled`` (those accepted),
    ``worked`` (Σ working days from acceptance to conclusion) and ``promised`` (Σ their
    guides' promised days).

    Working days between two dates are the difference of their positions in a running
    count of working days, so the sums need only the cases per (conclusion date, promised
    date), per acceptance date and per guide: GROUP BYs of a few thousand rows at most,
    never one row per case. The local conclusion date is stored (``Case.concluded_on``).
    """
    done = rows.filter(concluded_on__isnull=False).order_by()
    by_day = list(
        done.values_list("concluded_on", "promised_due").annotate(
            n=Count("pk"), accepted=Count("pk", filter=Q(accepted_on__isnull=False))
        )
    )
    accepted = done.filter(accepted_on__isnull=False)
    by_accepted = dict(
        accepted.values_list("accepted_on").annotate(n=Count("pk")).values_list("accepted_on", "n")
    )
    with_due = sum(n for _day, due, n, _a in by_day if due is not None)
    on_time = sum(n for day, due, n, _a in by_day if due is not None and day <= due)
    if not by_accepted:
        return {"with_due": with_due, "on_time": on_time, "handled": 0, "worked": 0, "promised": 0}
    per_guide = (
        accepted.values_list("guide_id").annotate(n=Count("pk")).values_list("guide_id", "n")
    )
    per_guide = dict(per_guide)
    promised_days = dict(
        Guide.objects.filter(pk__in=list(per_guide)).values_list("pk", "promised_days")
    )
    promised = sum(n * (promised_days.get(pk) or 0) for pk, n in per_guide.items())
    days = [day for day, _due, _n, a in by_day if a]
    position = _workday_positions(min(min(by_accepted), min(days)), max(days))
    worked = sum(position(day) * a for day, _due, _n, a in by_day if a) - sum(
        position(day) * n for day, n in by_accepted.items()
    )
    return {
        "with_due": with_due,
        "on_time": on_time,
        "handled": sum(by_accepted.values()),
        "worked": max(worked, 0),
        "promised": promised,
    }


def _workday_positions(first: datetime.date, last: datetime.date) -> Callable:
    from tongban.cases.workdays import Calendar

    calendar = Calendar()
    positions: dict[datetime.date, int] = {}
    day, counted = first, 0
    while day <= last:
        if day != first and calendar.is_workday(day):
            counted += 1
        positions[day] = counted
        day += datetime.timedelta(days=1)
    return lambda day: positions.get(day, 0 if day < first else counted)


def bad_review_figures(scope: Scope) -> tuple[int, int]:
    """(rectified, real-name bad reviews) from the reviews app; (0, 0) before it exists."""
    try:
        from tongban.reviews.services import bad_review_figures as figures
    except ImportError:
        return 0, 0
    department_ids = [scope.department.pk] if scope.department else None
    town_code = scope.code if scope.town else None
    return figures(department_ids=department_ids, town_code=town_code)


def rating_figures(scope: Scope) -> dict:
    empty = {"reviews": 0, "good": 0, "bad": 0, "cases_concluded": 0, "rated_cases": 0}
    try:
        from tongban.reviews.services import rating_figures as figures
    except ImportError:
        return empty
    department_ids = [scope.department.pk] if scope.department else None
    town_code = scope.code if scope.town else None
    return {**empty, **figures(department_ids=department_ids, town_code=town_code)}


def bundle_figures(scope: Scope) -> dict:
    """一件事 filings and conclusions; a department's are the bundles holding its items,
    a town's those whose member cases were filed in the town."""
    rows = BundleCase.objects.all()
    if scope.department:
        rows = rows.filter(bundle__items__item__department=scope.department)
    if scope.town:
        rows = rows.filter(children__case__center__in=town_centers(scope.town))
    return rows.aggregate(
        filed=Count("pk", distinct=True),
        concluded=Count("pk", distinct=True, filter=Q(status=BundleCase.Status.CONCLUDED)),
    )


def compute(scope: Scope = COUNTY) -> list[Indicator]:
    """Every indicator and case figure of ``scope``."""
    return [*item_figures(scope), *case_figures(scope)]


def compute_one(key: str, scope: Scope = COUNTY) -> Indicator:
    return next(i for i in compute(scope) if i.key == key)


# ---------------------------------------------------------------- drill-down


def gap(key: str, scope: Scope = COUNTY) -> QuerySet | None:
    """The rows behind the shortfall of ``key``: items, villages, cases or materials to fix.
    ``None`` for figures kept by another app (reviews, bundles)."""
    rows = items(scope).select_related("department", "current_guide")
    if key == "online_full":
        return rows.filter(current_guide__is_secret=False, current_guide__online_depth__lt=4)
    if key == "time_compression":
        # Items promising more than (1 − target) of their statutory limit.
        keep = 1 - (targets().get(key) or 0)
        return rows.filter(_LICENSING).filter(
            current_guide__promised_days__gt=F("current_guide__statutory_days") * keep
        )
    if key == "one_visit":
        return rows.filter(current_guide__max_visits__gt=1)
    if key == "instant":
        return rows.filter(current_guide__promised_days__gt=0)
    if key == "city_wide":
        return rows.filter(current_guide__city_wide=False)
    if key == "one_window":
        has_window, has_comprehensive = _window_filters(scope)
        return rows.filter(has_window & ~has_comprehensive)
    if key == "village_proxy":
        return (
            villages(scope)
            .exclude(Exists(_proxy_points(scope).filter(center=OuterRef("pk"))))
            .select_related("parent")
        )
    case_rows = cases(scope).select_related("department", "guide")
    if key == "online_application":
        return case_rows.exclude(channel__in=[Channel.WEB, Channel.MOBILE])
    if key in ("on_time", "handling_days"):
        return case_rows.filter(
            concluded_on__isnull=False,
            promised_due__isnull=False,
            concluded_on__gt=F("promised_due"),
        )
    if key == "materials_exempted":
        # Uploaded although an e-license or shared data could have stood in.
        return (
            Material.objects.filter(
                case__in=cases(scope), superseded=False, source=Material.Source.UPLOAD
            )
            .filter(~Q(spec__license_type_code="") | ~Q(spec__shared_data_item=""))
            .select_related("case", "spec")
        )
    return None


def scope_of(*, department: str = "", town: str = "") -> Scope:
    """The scope named by a department code or a town's statistical code (or the county).

    Raises ``InvalidInput`` for both at once and ``NotFound`` for an unknown code.
    """
    from tongban.errors import InvalidInput, NotFound

    if department and town:
        raise InvalidInput(
            fields={"town": ["部门和镇(街道)只能选择一个 / choose a department or a town"]}
        )
    if department:
        found = Department.objects.filter(code=department).first()
        if found is None:
            raise NotFound("未找到该部门", "No such department")
        return Scope(department=found)
    if town:
        found = ServiceCenter.objects.filter(
            level=ServiceCenter.Level.TOWN, statistical_code=town
        ).first()
        if found is None:
            raise NotFound("未找到该镇(街道)", "No such town")
        return Scope(town=found)
    return COUNTY


def departments() -> QuerySet:
    return Department.objects.filter(is_active=True).order_by("sort_order", "pk")


def towns() -> QuerySet:
    return ServiceCenter.objects.filter(level=ServiceCenter.Level.TOWN).order_by("statistical_code")
