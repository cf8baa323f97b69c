"""Each indicator equals a recomputation from the data the test made (numerator and
denominator), for the county, a department and a town; the drill-down lists the rows
behind each gap."""

import datetime
import itertools

import pytest
from django.utils import timezone

from tongban.cases.models import Case, Material
from tongban.catalog.models import AcceptancePoint
from tongban.catalog.tests.factories import BaseItemFactory, published_item
from tongban.metrics import indicators
from tongban.org.models import Window
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    TownCenterFactory,
    UserFactory,
    VillageCenterFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def item(department, *, points=(), windows=(), item_type="01", **guide):
    if guide.get("promised_days") == 0:
        guide.update(case_type="instant", review_type="immediate")
    made = published_item(
        steps=[{"name": "受理", "days": 0}],
        department=department,
        base_item=BaseItemFactory(item_type=item_type),
        **guide,
    )
    made.current_guide.windows.add(*windows)
    for center, mode in points:
        AcceptancePoint.objects.create(guide=made.current_guide, center=center, mode=mode)
    return made


def case(item, *, center=None, channel="web", accepted=None, due=None, concluded=None, **kw):
    return Case.objects.create(
        number=f"T{next(_numbers):010d}",
        item=item,
        guide_id=item.current_guide_id,
        applicant=kw.pop("applicant", None) or UserFactory(),
        applicant_name="王小明",
        applicant_id_number="",
        channel=channel,
        status=Case.Status.CONCLUDED if concluded else Case.Status.ACCEPTED,
        department_id=item.department_id,
        center=center,
        submitted_at=timezone.now(),
        accepted_on=accepted,
        promised_due=due,
        concluded_at=(
            timezone.make_aware(datetime.datetime.combine(concluded, datetime.time(10)))
            if concluded
            else None
        ),
        **kw,
    )


def make_world() -> dict:
    """Two departments, four items, a town with three villages and another town."""
    county = CountyCenterFactory()
    town = TownCenterFactory(parent=county)
    other_town = TownCenterFactory(parent=county)
    villages = [VillageCenterFactory(parent=town) for _ in range(3)]
    far_village = VillageCenterFactory(parent=other_town)
    comprehensive = WindowFactory(center=county, window_type=Window.Type.COMPREHENSIVE)
    department_window = WindowFactory(center=county, window_type=Window.Type.CONSULTATION)
    tax, police = DepartmentFactory(), DepartmentFactory()
    assisted = AcceptancePoint.Mode.ASSISTED
    items = {
        # full online, instant, one visit, city-wide, comprehensive window, proxied at v0
        "a": item(
            tax,
            online_depth=4,
            max_visits=0,
            promised_days=0,
            statutory_days=20,
            city_wide=True,
            windows=[comprehensive],
            points=[(villages[0], assisted), (town, "entrusted")],
        ),
        # pre-review only, two visits, promised 10 of 20, department window only
        "b": item(
            tax,
            online_depth=3,
            max_visits=2,
            promised_days=10,
            statutory_days=20,
            windows=[department_window],
            points=[(town, "entrusted")],
        ),
        # secret: not suitable for online handling; not licensing
        "c": item(
            police,
            item_type="07",
            online_depth=1,
            is_secret=True,
            max_visits=1,
            promised_days=5,
            statutory_days=30,
            windows=[comprehensive, department_window],
            points=[(villages[1], "entrusted"), (far_village, assisted)],
        ),
        # police licensing, full online, 3 of 15 days
        "d": item(police, online_depth=4, max_visits=0, promised_days=3, statutory_days=15),
    }
    return {
        "county": county,
        "town": town,
        "villages": villages,
        "far_village": far_village,
        "tax": tax,
        "police": police,
        "items": items,
    }


@pytest.fixture
def world():
    return make_world()


def figures(scope=indicators.COUNTY):
    return {f.key: f for f in indicators.compute(scope)}


def test_every_indicator_has_the_api_fields_and_a_chinese_name(world):
    found = indicators.compute()
    assert [f.key for f in found] == list(indicators.KEYS)
    for figure in found:
        assert set(figure.as_dict()) == {
            "key",
            "name",
            "value",
            "target",
            "met",
            "numerator",
            "denominator",
        }
        assert any("\u4e00" <= ch <= "\u9fff" for ch in figure.name)


def test_online_full_counts_depth_four_over_items_not_secret(world):
    online = figures()["online_full"]
    # suitable: a, b, d (c is secret); full: a, d
    assert (online.numerator, online.denominator) == (2, 3)
    assert online.value == round(2 / 3, 4)
    assert online.target == 0.85 and online.met is False


def test_time_compression_is_one_minus_promised_over_statutory_for_licensing_items(world):
    compression = figures()["time_compression"]
    statutory, promised = 20 + 20 + 15, 0 + 10 + 3  # a, b, d (c is a confirmation)
    assert (compression.numerator, compression.denominator) == (statutory - promised, statutory)
    assert compression.value == round(1 - promised / statutory, 4)
    assert compression.met is True


def test_one_visit_instant_and_city_wide(world):
    found = figures()
    assert (found["one_visit"].numerator, found["one_visit"].denominator) == (3, 4)
    assert (found["instant"].numerator, found["instant"].denominator) == (1, 4)
    assert found["instant"].met is False
    assert found["city_wide"].value == 1 and found["city_wide"].numerator == 1
    assert found["city_wide"].met is False


def test_village_proxy_counts_villages_with_an_assisted_point(world):
    proxy = figures()["village_proxy"]
    # villages: v0, v1, v2, far; assisted points at v0 and far
    assert (proxy.numerator, proxy.denominator) == (2, 4)
    town = figures(indicators.Scope(town=world["town"]))["village_proxy"]
    assert (town.numerator, town.denominator) == (1, 3)


def test_one_window_counts_center_items_with_a_comprehensive_window(world):
    window = figures()["one_window"]
    # in the center: a, b, c; comprehensive: a, c
    assert (window.numerator, window.denominator) == (2, 3)
    assert window.target == 1.0 and window.met is False


def test_items_without_a_published_guide_or_inactive_are_left_out(world):
    world["items"]["d"].is_active = False
    world["items"]["d"].save()
    assert figures()["one_visit"].denominator == 3


def test_department_scope_counts_its_own_items(world):
    tax = figures(indicators.Scope(department=world["tax"]))
    assert (tax["online_full"].numerator, tax["online_full"].denominator) == (1, 2)
    assert (tax["one_visit"].numerator, tax["one_visit"].denominator) == (1, 2)
    police = figures(indicators.Scope(department=world["police"]))
    assert (police["online_full"].numerator, police["online_full"].denominator) == (1, 1)
    # the police's assisted point is at the far village only
    assert police["village_proxy"].numerator == 1


def test_town_scope_counts_items_accepted_at_its_center(world):
    town = figures(indicators.Scope(town=world["town"]))
    # a and b have a point at the town's center
    assert town["one_visit"].denominator == 2
    assert (town["online_full"].numerator, town["online_full"].denominator) == (1, 2)


def test_bad_review_figure_comes_from_the_reviews_app(world, monkeypatch):
    from tongban.reviews import services as reviews

    calls = []

    def figures_of(*, department_ids=None, town_code=None):
        calls.append((department_ids, town_code))
        return 3, 4

    monkeypatch.setattr(reviews, "bad_review_figures", figures_of)
    found = figures(indicators.Scope(department=world["tax"]))["bad_review_rectified"]
    assert (found.numerator, found.denominator, found.met) == (3, 4, False)
    assert calls == [([world["tax"].pk], None)]


def test_case_figures_are_recomputed_from_the_cases(world):
    a, b = world["items"]["a"], world["items"]["b"]
    town, village = world["town"], world["villages"][0]
    mon = datetime.date(2026, 3, 2)  # a Monday
    case(
        a,
        channel="web",
        accepted=mon,
        due=mon + datetime.timedelta(days=4),
        concluded=mon + datetime.timedelta(days=2),
        center=town,
    )  # 2 working days, on time
    case(
        b,
        channel="county_window",
        accepted=mon,
        due=mon + datetime.timedelta(days=1),
        concluded=mon + datetime.timedelta(days=7),
    )  # next Monday: 5 working days, late
    case(b, channel="mobile", center=village)  # still open
    late = case(
        a,
        channel="town_center",
        accepted=mon,
        due=mon,
        concluded=mon + datetime.timedelta(days=3),
        center=village,
    )  # 3 days, late
    found = figures()
    assert (found["online_application"].numerator, found["online_application"].denominator) == (
        2,
        4,
    )
    assert (found["on_time"].numerator, found["on_time"].denominator) == (1, 3)
    days = found["handling_days"]
    assert (days.numerator, days.denominator) == (2 + 5 + 3, 3)
    assert days.value == round(10 / 3, 2)
    assert days.target == round((0 + 10 + 0) / 3, 2)  # promised days of a, b, a
    in_town = figures(indicators.Scope(town=town))
    assert in_town["online_application"].denominator == 3
    assert in_town["on_time"].denominator == 2
    assert list(indicators.gap("on_time", indicators.Scope(town=town))) == [late]


def test_materials_exempted_counts_shared_and_license_sources(world):
    a = world["items"]["a"]
    filed = case(a)
    at = timezone.now()
    for source in ("upload", "upload", "license", "registry.person", "bundle"):
        Material.objects.create(case=filed, name="材料", source=source, uploaded_at=at)
    Material.objects.create(
        case=filed, name="旧", source="license", uploaded_at=at, superseded=True
    )
    exempted = figures()["materials_exempted"]
    assert (exempted.numerator, exempted.denominator) == (3, 5)


def test_value_is_none_and_met_unknown_without_a_denominator(db):
    found = figures()
    assert found["online_full"].value is None
    assert found["online_full"].met is None
    assert found["on_time"].denominator == 0


def test_drill_down_lists_the_items_behind_each_gap(world):
    items = world["items"]
    scope = indicators.COUNTY
    assert set(indicators.gap("online_full", scope)) == {items["b"]}
    assert set(indicators.gap("one_visit", scope)) == {items["b"]}
    assert set(indicators.gap("instant", scope)) == {items["b"], items["c"], items["d"]}
    assert set(indicators.gap("one_window", scope)) == {items["b"]}
    assert set(indicators.gap("time_compression", scope)) == {items["b"]}
    assert set(indicators.gap("village_proxy", scope)) == set(world["villages"][1:])


def test_targets_can_be_overridden_by_setting(world, settings):
    settings.METRICS_TARGETS = {"online_full": 0.5}
    online = figures()["online_full"]
    assert online.target == 0.5 and online.met is True


def test_scope_of_rejects_unknown_codes_and_both_filters(world):
    from tongban.errors import InvalidInput, NotFound

    with pytest.raises(NotFound):
        indicators.scope_of(department="nope")
    with pytest.raises(InvalidInput):
        indicators.scope_of(department=world["tax"].code, town=world["town"].statistical_code)
    assert indicators.scope_of(town=world["town"].statistical_code).town == world["town"]


def test_rating_figures_come_from_the_reviews_app(world, monkeypatch):
    from tongban.reviews import services as reviews

    def figures_of(*, department_ids=None, town_code=None):
        assert town_code == world["town"].statistical_code
        return {"reviews": 8, "good": 6, "bad": 1, "cases_concluded": 10, "rated_cases": 7}

    monkeypatch.setattr(reviews, "rating_figures", figures_of)
    found = figures(indicators.Scope(town=world["town"]))
    assert (found["rating_rate"].numerator, found["rating_rate"].denominator) == (7, 10)
    assert (found["satisfaction"].numerator, found["satisfaction"].denominator) == (6, 8)
