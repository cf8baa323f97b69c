"""Realistic volume for the load test: departments and published items with real names, clerks
with TOTP devices, persons in the population base with a phone and a password, tens of
thousands of cases and thousands of e-licenses, and one gateway client.

    DJANGO_SETTINGS_MODULE=… DATABASE_URL=… python -m proof.seed --cases 50000 \\
        --world var/proof/load-world.json

The structure (departments, items, staff, persons, the gateway client) goes through the apps'
services and factories, as real writes do; the volume (cases, their submission events,
licenses) is bulk-inserted. The world file says what the Locust users need: item codes,
search words, sign-in details, case numbers with their applicant's phone, license
identifiers. It holds the seeded accounts' shared password and TOTP key, so it lives under
var/ (never committed) and the accounts are load-test accounts on a load-test database.

Seeding twice is safe: a database already seeded (its marker department exists) keeps its
data and the world file is written again only if it is missing.
"""

import argparse
import datetime
import hashlib
import hmac
import json
import os
import random
import secrets
import struct
import sys
import time
from pathlib import Path

MARKER = "load-d0"
RNG_SEED = 20261128
DEFAULT_WORLD = Path("var/proof/load-world.json")
DEPARTMENTS = (
    ("周至县市场监督管理局", ["个体工商户设立登记", "食品经营许可", "营业执照变更登记"]),
    ("周至县人力资源和社会保障局", ["失业保险金申领", "就业创业证申领", "职工退休申请"]),
    ("周至县民政局", ["最低生活保障审批", "婚姻登记", "残疾人两项补贴申请"]),
    ("周至县卫生健康局", ["医疗机构执业登记", "出生医学证明办理", "公共场所卫生许可"]),
    ("周至县交通运输局", ["道路货物运输经营许可", "出租汽车驾驶员从业资格", "公路占用许可"]),
    ("周至县住房和城乡建设局", ["建筑工程施工许可", "商品房预售许可", "住房公积金提取"]),
    ("周至县教育局", ["民办学校设立审批", "教师资格认定", "学生资助申请"]),
    ("周至县农业农村局", ["农药经营许可", "种子生产经营许可", "农机购置补贴申请"]),
)
# What people type into the search box (some match item names, some only keywords).
QUERIES = (
    "营业执照",
    "食品经营",
    "失业保险",
    "退休",
    "低保",
    "婚姻登记",
    "残疾人补贴",
    "出生医学证明",
    "卫生许可",
    "道路运输",
    "出租汽车",
    "施工许可",
    "公积金",
    "教师资格",
    "农药",
    "种子",
    "补贴",
    "许可",
    "登记",
    "个体工商户",
)
STATUSES = ("submitted", "accepted", "in_review", "approved", "concluded", "refused")
CLERKS_PER_DEPARTMENT = 8
BATCH = 5_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=3_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--licenses", type=int, default=10_000)
    parser.add_argument("--world", type=Path, default=DEFAULT_WORLD)
    args = parser.parse_args(argv)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    django.setup()
    world = seed(
        persons=args.persons, cases=args.cases, licenses=args.licenses, world_path=args.world
    )
    print(
        f"seeded: {len(world['items'])} items, {len(world['clerks'])} clerks, "
        f"{world['counts']}; world file {args.world}"
    )
    return 0


def seed(*, persons: int, cases: int, licenses: int, world_path: Path) -> dict:
    """Seed the database (once) and return the world the Locust users read."""
    from django.db import transaction

    from tongban.org.models import Department

    if Department.objects.filter(code=MARKER).exists() and world_path.exists():
        return json.loads(world_path.read_text())
    if Department.objects.filter(code=MARKER).exists():
        raise SystemExit(f"already seeded but {world_path} is missing: seed a fresh database")
    rng = random.Random(RNG_SEED)
    started = time.perf_counter()
    with transaction.atomic():
        world = _fill(persons, cases, licenses, rng, started)
    world_path.parent.mkdir(parents=True, exist_ok=True)
    world_path.write_text(json.dumps(world, ensure_ascii=False))
    os.chmod(world_path, 0o600)
    _analyze()
    return world


def _fill(persons: int, cases: int, licenses: int, rng: random.Random, started: float) -> dict:
    password = secrets.token_urlsafe(12)
    totp_key = secrets.token_hex(20)
    items = _items()
    clerks = _clerks(items, password, totp_key)
    people = _persons(persons, password)
    _say("structure", started)
    numbers = _cases(cases, items, people, rng)
    _say(f"{cases:,} cases", started)
    identifiers = _licenses(licenses, items, people, rng)
    _say(f"{licenses:,} licenses", started)
    return {
        "password": password,
        "totp_key": totp_key,
        "items": [
            {"code": item.implementation_code, "name": item.current_guide.name, "spec": spec}
            for item, spec in items
        ],
        "queries": list(QUERIES),
        "persons": [phone for _pk, phone in people],
        "clerks": clerks,
        "tracking": rng.sample(numbers, min(len(numbers), 20_000)),
        "licenses": rng.sample(identifiers, min(len(identifiers), 20_000)),
        "gateway": _gateway_client(),
        "counts": {"persons": len(people), "cases": cases, "licenses": licenses},
    }


def totp_now(key_hex: str, *, step: int = 30, digits: int = 6, at: float | None = None) -> str:
    """RFC 6238, as the clerk's authenticator app shows it (django-otp's TOTP devices)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def _say(what: str, started: float) -> None:
    print(f"  {what} after {time.perf_counter() - started:.1f} s", flush=True)


# --- structure: through the services ---------------------------------------------------------


def _items() -> list[tuple]:
    """Published items with the cases' form (``FORM``): (item, the 申请书 spec id)."""
    from tongban.cases.tests.factories import FORM
    from tongban.catalog.tests.factories import BaseItemFactory, published_item
    from tongban.org.tests.factories import DepartmentFactory

    found = []
    for d, (name, item_names) in enumerate(DEPARTMENTS):
        department = DepartmentFactory(code=f"load-d{d}", name=name, short_name=name[3:])
        for i, item_name in enumerate(item_names):
            item = published_item(
                implementation_code=f"11610124LOAD{d:02d}{i:04d}",
                base_item=BaseItemFactory(name=item_name, base_code=f"00009{d:02d}{i:04d}"),
                department=department,
                form_schema=FORM,
                keywords=f"{item_name} {name[3:]} 网上办理",
            )
            spec = item.current_guide.materials.get(name="申请书").pk
            found.append((item, spec))
    return found


def _clerks(items, password: str, totp_key: str) -> list[str]:
    """Clerks of each department, each with a TOTP device on the shared load-test key."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongban.identity.models import User
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import MembershipFactory

    departments = {item.department_id: item.department for item, _spec in items}
    encoded = make_password(password)  # one PBKDF2 run for all, not one each
    names = []
    for department in departments.values():
        for k in range(CLERKS_PER_DEPARTMENT):
            user = User.objects.create(
                username=f"load-clerk-{department.code[5:]}-{k}",
                kind=User.Kind.STAFF,
                is_staff=True,
                last_name="压测",
                first_name=f"窗口{k}",
                password=encoded,
            )
            MembershipFactory(user=user, department=department, role=StaffMembership.Role.CLERK)
            names.append(user.username)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="压测动态口令", key=totp_key, confirmed=True)
        for user in User.objects.filter(username__in=names)
    )
    return names


def _persons(count: int, password: str) -> list[tuple[int, str]]:
    """Persons in the population base with an account (L2, a phone, the shared password):
    (user pk, phone)."""
    from django.contrib.auth.hashers import make_password

    from tongban.identity.models import Level, User
    from tongban.registry.models import Person
    from tongban.registry.tests.factories import person_id_number

    encoded = make_password(password)  # one hash for all: one PBKDF2 run, not thousands
    for start in range(0, count, BATCH):
        chunk = range(start, min(start + BATCH, count))
        numbers = {n: person_id_number(3_700_000 + n) for n in chunk}
        Person.objects.bulk_create(
            Person(
                id_number=numbers[n],
                name=f"王{'一二三四五六七八九十'[n % 10]}明",
                sex=Person.Sex.MALE,
                birth_date=_birth(numbers[n]),
                address="陕西省西安市周至县二曲街道东街12号",
                phone=_phone(n),
                division="610124100001",
            )
            for n in chunk
        )
        User.objects.bulk_create(
            User(
                username=f"load-p{n}",
                kind=User.Kind.PERSON,
                phone=_phone(n),
                id_number=numbers[n],
                real_name_level=Level.L2,
                last_name="王",
                first_name=f"{'一二三四五六七八九十'[n % 10]}明",
                password=encoded,
            )
            for n in chunk
        )
    rows = User.objects.filter(username__startswith="load-p").values_list("pk", "username")
    return [(pk, _phone(int(name[6:]))) for pk, name in rows]


def _phone(n: int) -> str:
    return f"137{n:08d}"


def _birth(id_number: str) -> datetime.date:
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _gateway_client() -> dict:
    """A department system's client, its per-minute limit raised for the test (one client
    is many systems' worth of calls here)."""
    from tongban.gateway import services

    client = services.create_client(
        "load",
        name="压测部门业务系统",
        scopes=["gateway:ping", "org:staff:read"],
        department_codes=["*"],
        max_sensitivity=2,
        rate_limit=1_000_000,
    )
    issued = services.issue_key("load", client)
    return {"key_id": issued.key.key_id, "secret": issued.secret}


# --- volume: bulk inserts ----------------------------------------------------------------------


def _cases(total: int, items, people, rng: random.Random) -> list[list[str]]:
    """``total`` cases over the items and persons, each with its submission event:
    [number, the applicant's phone] pairs."""
    from django.utils import timezone

    from tongban.cases.models import Case, CaseEvent

    pairs = []
    start_day = timezone.now() - datetime.timedelta(days=365)
    for start in range(0, total, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, total)):
            item, _spec = items[n % len(items)]
            pk, phone = people[rng.randrange(len(people))]
            at = start_day + datetime.timedelta(minutes=n * 525_600 // max(total, 1))
            number = f"610124{at:%Y%m%d}8{n:08d}"
            rows.append(
                Case(
                    number=number,
                    item=item,
                    guide_id=item.current_guide_id,
                    applicant_id=pk,
                    applicant_name="王明",
                    channel="web",
                    status=STATUSES[n % len(STATUSES)],
                    department_id=item.department_id,
                    submitted_at=at,
                    form_data={"purpose": "压测数据"},
                )
            )
            pairs.append([number, phone])
        created = Case.objects.bulk_create(rows)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                case=case, to_status="submitted", verb="submit", at=case.submitted_at, note=""
            )
            for case in created
        )
    return pairs


def _licenses(total: int, items, people, rng: random.Random) -> list[str]:
    """``total`` valid license versions (no PDF, no signature: the verifier reports them as
    unsigned after its cached check), held by the persons: their identifiers."""
    from tongban.core import clock
    from tongban.identity.models import User
    from tongban.licenses import identifiers
    from tongban.licenses.models import License, LicenseType
    from tongban.licenses.tests.factories import type_code

    departments = list({item.department_id: item.department for item, _s in items}.values())
    types = [
        LicenseType.objects.create(
            code=type_code(900 + n),
            name=name,
            authority_name="周至县人民政府",
            authority_code=type_code(900 + n)[: identifiers.USCC_LENGTH],
            holder_type="person",
            validity_years=5,
            fields=[{"key": "holder", "label": "持证人", "source": "holder.name"}],
        )
        for n, name in enumerate(("食品经营许可证", "就业创业证", "教师资格证", "从业资格证"))
    ]
    holders = dict(User.objects.filter(username__startswith="load-p").values_list("pk", "id"))
    today = clock.today()
    found = []
    for start in range(0, total, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, total)):
            license_type, issuer = types[n % len(types)], departments[n % len(departments)]
            holder_pk, _phone = people[rng.randrange(len(people))]
            serial = f"L{n:09d}"
            identifier = identifiers.build(license_type.code, issuer.uscc, serial, 1)
            rows.append(
                License(
                    identifier=identifier,
                    license_type=license_type,
                    number=f"周{serial}",
                    serial=serial,
                    issuer=issuer,
                    holder_type="person",
                    holder_user_id=holders[holder_pk],
                    holder_name="王明",
                    holder_code="610124199001011234",
                    holder_code_type="111",
                    issued_on=today,
                    valid_from=today,
                    valid_to=today + datetime.timedelta(days=5 * 365),
                    surface={"holder": "王明"},
                )
            )
            found.append(identifier)
        License.objects.bulk_create(rows)
    return found


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    sys.exit(main())
