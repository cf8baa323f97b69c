import io

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command

from tongban.identity.models import User
from tongban.org import demo, services
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window

pytestmark = pytest.mark.django_db
Level = ServiceCenter.Level


@pytest.fixture
def county():
    return demo.load()


def dump() -> str:
    """Every org row and every demo account, in primary-key order."""
    querysets = [
        model.objects.order_by("pk")
        for model in (Department, ServiceCenter, Window, StaffMembership)
    ]
    querysets.append(User.objects.filter(is_demo=True).order_by("pk"))
    return "\n".join(serializers.serialize("json", queryset) for queryset in querysets)


def test_loading_twice_leaves_the_same_data(county):
    first = dump()
    demo.load()
    assert dump() == first


def test_every_town_carries_both_codes(county):
    towns = ServiceCenter.objects.filter(level=Level.TOWN)
    assert towns.count() == 20
    for town in towns:
        assert len(town.statistical_code) == 9 and town.statistical_code.startswith("610124")
        assert len(town.provincial_code) == 12 and town.provincial_code.endswith("000")
        assert town.parent.level == Level.COUNTY


def test_town_codes_are_those_of_zhouzhi(county):
    yabai = ServiceCenter.objects.get(division_name="哑柏镇")
    assert (yabai.statistical_code, yabai.provincial_code) == ("610124101", "610124002000")
    erqu = ServiceCenter.objects.get(division_name="二曲街道")
    assert (erqu.statistical_code, erqu.provincial_code) == ("610124001", "610124001000")


def test_the_county_center_heads_the_network(county):
    center = ServiceCenter.objects.get(level=Level.COUNTY)
    assert center.name == "周至县政务服务中心"
    assert (center.statistical_code, center.provincial_code) == ("610124000", "610124000000")


def test_every_town_has_five_demo_villages_or_more(county):
    for town in ServiceCenter.objects.filter(level=Level.TOWN):
        villages = list(town.children.all())
        assert len(villages) >= 5, town
        for village in villages:
            assert village.is_demo and "演示" in village.name
            assert village.statistical_code.startswith(town.statistical_code)
            assert len(village.statistical_code) == 12


def test_every_row_passes_the_models_own_checks(county):
    for model in (Department, ServiceCenter, Window, StaffMembership):
        for row in model.objects.all():
            row.full_clean()


def test_there_are_twenty_departments_or_more_with_the_plans_names(county):
    short_names = set(Department.objects.values_list("short_name", flat=True))
    assert len(short_names) >= 20
    assert {
        "行政审批局",
        "公安局",
        "人社局",
        "市场监管局",
        "残联",
        "气象局",
        "财政局",
    } <= short_names
    for uscc in Department.objects.values_list("uscc", flat=True):
        assert uscc[2:8] == "610124"


def test_the_county_center_has_every_window_type(county):
    center = ServiceCenter.objects.get(level=Level.COUNTY)
    types = list(center.windows.values_list("window_type", flat=True))
    assert set(types) == set(Window.Type.values)
    assert types.count(Window.Type.COMPREHENSIVE) >= 2


def test_every_town_center_has_intake_and_assisted_windows(county):
    for town in ServiceCenter.objects.filter(level=Level.TOWN):
        types = set(town.windows.values_list("window_type", flat=True))
        assert {Window.Type.COMPREHENSIVE, Window.Type.ASSISTED} <= types, town


def test_every_role_has_a_demo_account(county):
    held = set(StaffMembership.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert held == set(StaffMembership.Role.values)


def test_the_demo_accounts_sign_in_with_the_documented_password(client, county):
    for user in User.objects.filter(is_demo=True):
        assert user.check_password(demo.DEMO_PASSWORD), user.username
        assert user.kind == User.Kind.STAFF and user.is_staff and not user.is_superuser


def test_norole_holds_no_role_and_town_clerk_sits_at_yabai(county):
    assert services.roles_of(User.objects.get(username="norole")) == set()
    membership = StaffMembership.objects.get(user__username="town_clerk")
    assert membership.center.division_name == "哑柏镇"
    assert membership.window.window_type == Window.Type.COMPREHENSIVE


def test_a_changed_demo_password_survives_a_reload(county):
    user = User.objects.get(username="clerk")
    user.set_password("Changed@2026")
    user.save()
    demo.load()
    user.refresh_from_db()
    assert user.check_password("Changed@2026")


def test_the_command_prints_a_chinese_summary():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "镇(街道)便民服务中心 20 个" in out.getvalue()
    assert demo.DEMO_PASSWORD in out.getvalue()


def test_the_command_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo")
    assert not Department.objects.exists()
