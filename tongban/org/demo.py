"""The demo county: Zhouzhi (周至县, 610124) with its towns, demo villages, departments, windows
and staff for every role.

Idempotent: each row is found by a stable code and set to the same values, so a second run
leaves the data as the first left it. A demo password is set only when its account is created,
so re-running does not change the stored hash either.
"""

from dataclasses import dataclass

from django.db import transaction

from tongban.audit import services as audit
from tongban.identity.models import User
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window
from tongban.org.validators import make_uscc

COUNTY_CODE = "610124"
DEMO_PASSWORD = "Tongban@2026"
VILLAGES_PER_TOWN = 5
ORDINALS = "一二三四五六七八九十"
HOURS = "周一至周五 9:00–12:00,13:30–17:30(法定节假日除外)"

# Towns and streets with their statistical codes (cn-standards.md), in the provincial
# network's order: see provincial_code().
TOWNS = (
    ("二曲街道", "610124001"),
    ("哑柏镇", "610124101"),
    ("终南镇", "610124102"),
    ("马召镇", "610124103"),
    ("集贤镇", "610124104"),
    ("楼观镇", "610124105"),
    ("尚村镇", "610124106"),
    ("广济镇", "610124107"),
    ("厚畛子镇", "610124108"),
    ("青化镇", "610124109"),
    ("竹峪镇", "610124110"),
    ("翠峰镇", "610124111"),
    ("四屯镇", "610124112"),
    ("司竹镇", "610124115"),
    ("九峰镇", "610124116"),
    ("富仁镇", "610124117"),
    ("骆峪镇", "610124118"),
    ("陈河镇", "610124119"),
    ("板房子镇", "610124120"),
    ("王家河镇", "610124121"),
)

# (code, full name, short name, USCC category). Append only: a department's position gives
# its demo USCC, so inserting in the middle would renumber the ones after it.
# Category (USCC position 2, registered by 机构编制): 1 机关, 2 事业单位, 3 群团组织.
DEPARTMENTS = (
    ("approval", "周至县行政审批服务局", "行政审批局", "1"),
    ("public-security", "周至县公安局", "公安局", "1"),
    ("hrss", "周至县人力资源和社会保障局", "人社局", "1"),
    ("market", "周至县市场监督管理局", "市场监管局", "1"),
    ("medical-security", "周至县医疗保障局", "医疗保障局", "1"),
    ("civil-affairs", "周至县民政局", "民政局", "1"),
    ("justice", "周至县司法局", "司法局", "1"),
    ("natural-resources", "西安市自然资源和规划局周至分局", "资源规划局", "1"),
    ("housing", "周至县住房和城乡建设局", "住建局", "1"),
    ("transport", "周至县交通运输局", "交通局", "1"),
    ("health", "周至县卫生健康局", "卫生健康局", "1"),
    ("disabled-persons", "周至县残疾人联合会", "残联", "3"),
    ("housing-fund", "西安住房公积金管理中心周至管理部", "公积金周至管理部", "2"),
    ("development-reform", "周至县发展和改革委员会", "发改委", "1"),
    ("ecology", "西安市生态环境局周至分局", "生态环境局", "1"),
    ("urban-management", "周至县城市管理和综合执法局", "城管局", "1"),
    ("emergency", "周至县应急管理局", "应急管理局", "1"),
    ("water", "周至县水务局", "水务局", "1"),
    ("meteorology", "周至县气象局", "气象局", "1"),
    ("finance", "周至县财政局", "财政局", "1"),
    ("taxation", "国家税务总局周至县税务局", "税务局", "1"),
    ("education", "周至县教育局", "教育局", "1"),
    ("agriculture", "周至县农业农村局", "农业农村局", "1"),
    ("culture-tourism", "周至县文化和旅游局", "文化和旅游局", "1"),
    ("veterans", "周至县退役军人事务局", "退役军人事务局", "1"),
    ("forestry", "周至县林业局", "林业局", "1"),
)

Type = Window.Type
COUNTY_WINDOWS = (
    *((f"A0{n}", f"综合受理{ORDINALS[n - 1]}号窗口", Type.COMPREHENSIVE) for n in range(1, 7)),
    ("B01", "综合咨询窗口", Type.CONSULTATION),
    ("B02", "帮办代办窗口", Type.ASSISTED),
    ("B03", "跨域通办窗口", Type.CROSS_REGION),
    ("B04", "办不成事反映窗口", Type.CANNOT_HANDLE),
    ("C01", "统一出件窗口", Type.DELIVERY),
)
TOWN_WINDOWS = (("01", "综合受理窗口", Type.COMPREHENSIVE), ("02", "帮办代办窗口", Type.ASSISTED))
VILLAGE_WINDOWS = (("01", "帮办代办窗口", Type.ASSISTED),)

Role = StaffMembership.Role
COUNTY_CENTER_CODE = f"{COUNTY_CODE}000"
YABAI_CENTER_CODE = "610124101"
# (username, name, role, department code, center statistical code, window number)
DEMO_STAFF = (
    ("sysadmin", "系统管理员(演示)", Role.SYSTEM_ADMIN, "approval", None, None),
    ("supervisor", "监督人员(演示)", Role.SUPERVISOR, "approval", None, None),
    ("catalog_admin", "事项管理员(演示)", Role.CATALOG_ADMIN, "approval", None, None),
    ("data_officer", "数据管理员(演示)", Role.DATA_OFFICER, "approval", None, None),
    ("dept_admin", "人社局部门管理员(演示)", Role.DEPT_ADMIN, "hrss", None, None),
    ("approver", "人社局审批人员(演示)", Role.APPROVER, "hrss", None, None),
    ("clerk", "县中心窗口人员(演示)", Role.CLERK, "approval", COUNTY_CENTER_CODE, "A01"),
    ("town_clerk", "哑柏镇窗口人员(演示)", Role.CLERK, "approval", YABAI_CENTER_CODE, "01"),
    ("finance", "财政局财务人员(演示)", Role.FINANCE, "finance", None, None),
    (
        "police_clerk",
        "公安局窗口人员(演示)",
        Role.CLERK,
        "public-security",
        COUNTY_CENTER_CODE,
        "A06",
    ),
    ("police_approver", "公安局审批人员(演示)", Role.APPROVER, "public-security", None, None),
    ("norole", "无角色人员(演示)", None, None, None, None),
)


@dataclass(frozen=True)
class Summary:
    departments: int
    towns: int
    villages: int
    windows: int
    accounts: int

    def __str__(self):
        return (
            f"周至县演示数据已就绪:部门 {self.departments} 个;县级政务服务中心 1 个,"
            f"镇(街道)便民服务中心 {self.towns} 个,村(社区)便民服务站 {self.villages} 个;"
            f"窗口 {self.windows} 个;演示账号 {self.accounts} 个(密码 {DEMO_PASSWORD})。"
        )


def provincial_code(position: int) -> str:
    """The provincial network's 12-digit code of the town at ``position`` (1-based) in TOWNS.

    Only 哑柏镇's code (610124002000, position 2) is confirmed; the others follow its pattern:
    the county code, the 3-digit position, then 000.
    """
    return f"{COUNTY_CODE}{position:03d}000"


def is_loaded() -> bool:
    """Whether the demo county is already there (its county center exists)."""
    return ServiceCenter.objects.filter(statistical_code=COUNTY_CENTER_CODE).exists()


@transaction.atomic
def load() -> Summary:
    """Create or refresh the whole demo county in one transaction."""
    departments = _departments()
    county = _county_center()
    towns = _towns(county)
    villages = _villages(towns)
    windows = _windows(county, COUNTY_WINDOWS)
    for town in towns:
        windows += _windows(town, TOWN_WINDOWS)
    for village in villages:
        windows += _windows(village, VILLAGE_WINDOWS)
    accounts = _staff(departments)
    summary = Summary(len(departments), len(towns), len(villages), len(windows), len(accounts))
    audit.record("load_demo", "org.demo.load", note=str(summary))
    return summary


def _departments() -> dict[str, Department]:
    found = {}
    for position, (code, name, short_name, category) in enumerate(DEPARTMENTS, start=1):
        found[code], _created = Department.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "uscc": make_uscc("1", category, COUNTY_CODE, f"TB{position:06d}"),
                "parent": None,
                "is_active": True,
                "sort_order": position * 10,
            },
        )
    return found


def _center(statistical_code: str, **values) -> ServiceCenter:
    center, _created = ServiceCenter.objects.update_or_create(
        statistical_code=statistical_code, defaults={"hours": HOURS, **values}
    )
    return center


def _county_center() -> ServiceCenter:
    return _center(
        COUNTY_CENTER_CODE,
        name="周至县政务服务中心",
        level=ServiceCenter.Level.COUNTY,
        parent=None,
        provincial_code=f"{COUNTY_CODE}000000",
        division_name="周至县",
        address="陕西省西安市周至县",
        phone="12345",
        is_demo=False,
    )


def _towns(county: ServiceCenter) -> list[ServiceCenter]:
    return [
        _center(
            code,
            name=f"{name}便民服务中心",
            level=ServiceCenter.Level.TOWN,
            parent=county,
            provincial_code=provincial_code(position),
            division_name=name,
            address=f"陕西省西安市周至县{name}",
            phone="",
            is_demo=False,
        )
        for position, (name, code) in enumerate(TOWNS, start=1)
    ]


def _villages(towns: list[ServiceCenter]) -> list[ServiceCenter]:
    """Generated villages (communities under a street), marked as demo data.

    Their 3-digit codes follow the statistical convention: 001–199 communities (居委会),
    200–399 villages (村委会).
    """
    villages = []
    for town in towns:
        street = town.division_name.endswith("街道")
        kind, first = ("社区", 1) if street else ("村", 201)
        for n in range(VILLAGES_PER_TOWN):
            division = f"{town.division_name}第{ORDINALS[n]}{kind}"
            seq = f"{first + n:03d}"
            villages.append(
                _center(
                    town.statistical_code + seq,
                    name=f"{division}便民服务站(演示)",
                    level=ServiceCenter.Level.VILLAGE,
                    parent=town,
                    provincial_code=town.provincial_code[:9] + seq,
                    division_name=f"{division}(演示)",
                    address=f"陕西省西安市周至县{division}(演示)",
                    phone="",
                    is_demo=True,
                )
            )
    return villages


def _windows(center: ServiceCenter, plan) -> list[Window]:
    windows = []
    for number, name, window_type in plan:
        if center.level != ServiceCenter.Level.COUNTY:
            name = f"{center.division_name.removesuffix('(演示)')}{name}"
        window, _created = Window.objects.update_or_create(
            center=center,
            number=number,
            defaults={
                "name": name,
                "window_type": window_type,
                "department": None,
                "is_active": True,
            },
        )
        windows.append(window)
    return windows


def _staff(departments: dict[str, Department]) -> list[User]:
    accounts = []
    for username, name, role, department_code, center_code, window_number in DEMO_STAFF:
        user = _demo_account(username, name)
        accounts.append(user)
        if role is None:
            continue
        center = ServiceCenter.objects.get(statistical_code=center_code) if center_code else None
        window = Window.objects.get(center=center, number=window_number) if window_number else None
        StaffMembership.objects.update_or_create(
            user=user,
            department=departments[department_code],
            role=role,
            defaults={
                "center": center,
                "window": window,
                "is_active": True,
                "valid_from": None,
                "valid_to": None,
            },
        )
    return accounts


def _demo_account(username: str, name: str) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": name,
            "last_name": "",
            "kind": User.Kind.STAFF,
            "is_staff": True,
            "is_superuser": False,
            "is_active": True,
            "is_demo": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
