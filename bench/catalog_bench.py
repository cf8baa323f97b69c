"""How fast the catalog search answers and how fast its index builds, on a throwaway database.

    .venv/bin/python -m bench.catalog_bench [--items 10000] [--queries 400]

Two catalogs: the demo catalog (``load_demo``'s, or 150 generated items while it does not
exist yet), then a generated one of ``--items`` items with Chinese names made of government
terms, departments, towns, villages, materials and acceptance points. For each: the index
build rate (``reindex()``), then a few hundred representative queries (Chinese words, one
character, pinyin initials, filters, later pages) timed through ``search_items`` (SQL and
loading the page of items) and through ``GET /api/v1/items`` (the test client, no network).
The database is the one DATABASE_URL names. Prints figures, asserts nothing.
"""

import argparse
import datetime
import random
import time

from bench.support import latencies, rate, throwaway_database

SEED = 20261127
QUALIFIERS = [
    "",
    "",
    "",
    "企业",
    "个体工商户",
    "农民专业合作社",
    "个人",
    "城镇",
    "农村",
    "外省户籍人员",
]
SUBJECTS = [
    ("营业执照", "20", "business_start"),
    ("食品经营许可证", "01", "permits"),
    ("食品生产许可证", "01", "permits"),
    ("药品经营许可证", "01", "medical"),
    ("医疗机构执业许可证", "01", "medical"),
    ("烟草专卖零售许可证", "01", "permits"),
    ("道路运输经营许可证", "01", "traffic"),
    ("排污许可证", "01", "environment"),
    ("取水许可", "01", "environment"),
    ("林木采伐许可证", "01", "agriculture"),
    ("建设工程规划许可证", "01", "construction"),
    ("建筑工程施工许可证", "01", "construction"),
    ("乡村建设规划许可证", "01", "construction"),
    ("城市道路占道挖掘许可", "01", "construction"),
    ("户外广告设置许可", "01", "construction"),
    ("不动产权证书", "07", "real_estate"),
    ("不动产抵押登记", "07", "real_estate"),
    ("商品房预售许可证", "01", "real_estate"),
    ("居民身份证", "20", "household"),
    ("户口迁移证明", "07", "household"),
    ("户籍证明", "07", "household"),
    ("居住证", "20", "household"),
    ("社会保障卡", "20", "social_security"),
    ("城乡居民养老保险", "20", "social_security"),
    ("失业保险金", "05", "employment"),
    ("住房公积金", "20", "housing"),
    ("公租房资格", "07", "housing"),
    ("出生医学证明", "20", "birth"),
    ("结婚登记", "07", "marriage"),
    ("高龄津贴", "05", "elderly"),
    ("残疾人两项补贴", "05", "disability"),
    ("最低生活保障", "05", "civil_affairs"),
    ("临时救助", "05", "civil_affairs"),
    ("退役军人优待证", "20", "veterans"),
    ("机动车驾驶证", "20", "traffic"),
    ("教师资格", "07", "education"),
    ("农机购置补贴", "05", "agriculture"),
    ("动物防疫条件合格证", "01", "agriculture"),
    ("法律援助", "20", "justice"),
    ("丧葬补助金", "05", "death"),
]
ACTIONS = [
    "申领",
    "核发",
    "变更",
    "延续",
    "注销",
    "补领",
    "换领",
    "遗失补办",
    "首次申请",
    "信息更正",
    "证明开具",
    "审核",
    "备案",
    "发放",
    "查询",
    "转移",
    "认定",
    "年度审验",
    "撤销",
    "迁入",
]
DEPARTMENTS = [
    ("approval", "周至县行政审批服务局", "县审批局"),
    ("market", "周至县市场监督管理局", "县市场监管局"),
    ("public_security", "周至县公安局", "县公安局"),
    ("hrss", "周至县人力资源和社会保障局", "县人社局"),
    ("civil", "周至县民政局", "县民政局"),
    ("health", "周至县卫生健康局", "县卫健局"),
    ("housing", "周至县住房和城乡建设局", "县住建局"),
    ("resources", "周至县自然资源局", "县自然资源局"),
    ("transport", "周至县交通运输局", "县交通局"),
    ("agriculture", "周至县农业农村局", "县农业农村局"),
    ("forestry", "周至县林业局", "县林业局"),
    ("water", "周至县水利局", "县水利局"),
    ("environment", "西安市生态环境局周至分局", "周至生态环境分局"),
    ("medical_security", "周至县医疗保障局", "县医保局"),
    ("veterans", "周至县退役军人事务局", "县退役军人局"),
    ("education", "周至县教育局", "县教育局"),
    ("justice", "周至县司法局", "县司法局"),
    ("disabled", "周至县残疾人联合会", "县残联"),
    ("tax", "国家税务总局周至县税务局", "县税务局"),
    ("fund", "西安住房公积金管理中心周至分中心", "公积金周至分中心"),
    ("tobacco", "周至县烟草专卖局", "县烟草局"),
    ("urban", "周至县城市管理和综合执法局", "县城管执法局"),
]
TOWNS = [
    "二曲街道",
    "哑柏镇",
    "终南镇",
    "马召镇",
    "集贤镇",
    "楼观镇",
    "尚村镇",
    "广济镇",
    "厚畛子镇",
    "青化镇",
    "竹峪镇",
    "翠峰镇",
    "四屯镇",
    "司竹镇",
    "九峰镇",
    "富仁镇",
    "骆峪镇",
    "陈河镇",
    "板房子镇",
    "王家河镇",
]
LAWS = [
    "《中华人民共和国行政许可法》",
    "《中华人民共和国食品安全法》第三十五条",
    "《不动产登记暂行条例》第三条",
    "《中华人民共和国居民身份证法》第十一条",
    "《社会保险法》第十条",
    "《中华人民共和国城乡规划法》第四十条",
    "《建筑工程施工许可管理办法》第二条",
    "《陕西省高龄老人生活补贴发放办法》",
    "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
    "《中华人民共和国户口登记条例》第十条",
]
MATERIALS = [
    "申请人居民身份证",
    "营业执照复印件",
    "申请书",
    "授权委托书",
    "户口簿",
    "不动产权证书",
    "结婚证",
    "出生医学证明",
    "残疾人证",
    "社会保障卡",
    "场所使用证明",
    "建设工程设计方案",
    "法定代表人身份证明",
    "近期免冠照片",
]

WORD_QUERIES = [
    "营业执照",
    "不动产登记",
    "不动产",
    "社保卡",
    "社会保障卡",
    "身份证",
    "居民身份证换领",
    "高龄津贴",
    "施工许可",
    "建设工程规划许可",
    "户口迁移",
    "食品经营许可",
    "残疾人补贴",
    "公积金提取",
    "住房公积金",
    "出生医学证明",
    "结婚登记",
    "养老保险",
    "失业保险金",
    "占道挖掘",
    "排污许可",
    "驾驶证",
    "遗失补办",
    "注销",
    "我要办营业执照",
    "怎么办理社保卡",
    "企业营业执照变更",
    "农村危房改造",
    "临时救助",
    "教师资格认定",
]
CHAR_QUERIES = ["户", "证", "房", "车", "医", "税", "卡", "婚", "地", "林"]
PINYIN_QUERIES = ["yyzz", "bdc", "sbk", "shbzk", "sfz", "gljt", "sgxk", "hkqy", "spjy", "YYZZ"]


def populate(items: int, rng: random.Random, *, prefix: str = "GEN") -> None:
    """``items`` published items (bulk), with departments, towns, materials and points."""
    from tongban.catalog.models import (
        AcceptancePoint,
        BaseItem,
        Guide,
        MaterialSpec,
        ServiceItem,
    )
    from tongban.org.models import Department, ServiceCenter
    from tongban.org.validators import make_uscc

    departments = []
    for n, (code, name, short) in enumerate(DEPARTMENTS):
        department, _ = Department.objects.get_or_create(
            code=f"{prefix.lower()}-{code}",
            defaults={
                "name": name,
                "short_name": short,
                "uscc": make_uscc("1", "1", "610124", f"{prefix[:2]}{n:06d}"),
                "sort_order": n,
            },
        )
        departments.append(department)
    county, _ = ServiceCenter.objects.get_or_create(
        statistical_code="610124990",
        defaults={
            "name": "周至县政务服务中心(基准)",
            "level": ServiceCenter.Level.COUNTY,
            "provincial_code": "610124990000",
        },
    )
    towns = [
        ServiceCenter.objects.get_or_create(
            statistical_code=f"6101249{n:02d}",
            defaults={
                "name": f"{town}便民服务中心",
                "level": ServiceCenter.Level.TOWN,
                "parent": county,
                "provincial_code": f"6101249{n:02d}000",
                "division_name": town,
            },
        )[0]
        for n, town in enumerate(TOWNS, 1)
    ]
    villages = list(
        ServiceCenter.objects.filter(level=ServiceCenter.Level.VILLAGE, parent__in=towns)
    )
    villages = villages or ServiceCenter.objects.bulk_create(
        ServiceCenter(
            name=f"{towns[n % len(towns)].division_name}第{n}村便民服务站",
            level=ServiceCenter.Level.VILLAGE,
            parent=towns[n % len(towns)],
            statistical_code=f"{towns[n % len(towns)].statistical_code}{n:03d}",
            is_demo=True,
        )
        for n in range(200)
    )
    centers = towns + villages

    specs = []
    for n in range(items):
        subject, item_type, topic = SUBJECTS[n % len(SUBJECTS)]
        qualifier = QUALIFIERS[(n // len(SUBJECTS)) % len(QUALIFIERS)]
        action = ACTIONS[(n // (len(SUBJECTS) * len(QUALIFIERS))) % len(ACTIONS)]
        name = f"{qualifier}{subject}{action}"
        if n >= len(SUBJECTS) * len(QUALIFIERS) * len(ACTIONS):
            name += f"({TOWNS[n % len(TOWNS)]})"
        specs.append((n, name, item_type, topic))

    bases = BaseItem.objects.bulk_create(
        BaseItem(
            base_code=f"{prefix}{n:08d}",
            name=name,
            item_type=item_type,
            legal_basis=LAWS[n % len(LAWS)],
        )
        for n, name, item_type, _topic in specs
    )
    service_items = ServiceItem.objects.bulk_create(
        ServiceItem(
            implementation_code=f"11610124{prefix}{n:08d}",
            base_item=base,
            department=departments[n % len(departments)],
            is_active=rng.random() > 0.02,
        )
        for (n, _name, _type, _topic), base in zip(specs, bases, strict=True)
    )
    today = datetime.date(2026, 1, 1)
    guides = Guide.objects.bulk_create(
        _guide(item, name, topic, rng, today)
        for item, (_n, name, _type, topic) in zip(service_items, specs, strict=True)
    )
    for item, guide in zip(service_items, guides, strict=True):
        item.current_guide = guide
    ServiceItem.objects.bulk_update(service_items, ["current_guide"], batch_size=1000)
    MaterialSpec.objects.bulk_create(
        (
            MaterialSpec(
                guide=guide,
                order=order,
                name=material,
                source=MaterialSpec.Source.APPLICANT,
            )
            for guide in guides
            for order, material in enumerate(rng.sample(MATERIALS, 3), 1)
        ),
        batch_size=2000,
    )
    AcceptancePoint.objects.bulk_create(
        (
            AcceptancePoint(guide=guide, center=center, mode=AcceptancePoint.Mode.ENTRUSTED)
            for guide in guides
            if rng.random() < 0.4
            for center in rng.sample(centers, rng.randint(1, 3))
        ),
        batch_size=2000,
    )


def _guide(item, name: str, topic: str, rng: random.Random, today):
    from tongban.catalog.models import Guide

    depth = rng.choice([1, 2, 3, 3, 4, 4])
    promised = rng.choice([0, 1, 3, 5, 10, 15])
    return Guide(
        item=item,
        version=1,
        status=Guide.Status.PUBLISHED,
        effective_from=today,
        name=name,
        keywords=" ".join(rng.sample(["一网通办", "就近办", "跨省通办", "马上办", "证照"], 2)),
        service_object=rng.choice(list(Guide.ServiceObject.values)),
        case_type="instant" if promised == 0 else "promised",
        review_type="immediate" if promised == 0 else "pre_review",
        acceptance_conditions=(
            f"申请{name}的,申请人应当具有完全民事行为能力,提交的材料齐全、符合法定形式;"
            "委托他人办理的,应当提交授权委托书及受托人身份证明。"
        ),
        legal_basis=item.base_item.legal_basis,
        statutory_days=20,
        promised_days=promised,
        max_visits=0 if depth == 4 else 1,
        visit_reason="" if depth == 4 else "现场核验原件",
        online_depth=depth,
        result_name=f"{name}决定书" if rng.random() < 0.5 else "",
        topics=[topic],
        city_wide=rng.random() < 0.3,
        cross_province=rng.random() < 0.1,
        faq=[
            {"q": f"{name}可以网上办理吗?", "a": "可以,登录陕西政务服务网或秦务员APP办理。"},
            {"q": "需要本人到现场吗?", "a": "委托他人办理的,受托人携带授权委托书即可。"},
        ],
    )


def workload(rng: random.Random, count: int) -> list[dict]:
    """Representative searches: words, one character, pinyin, filters, later pages."""
    from tongban.catalog.search_models import SearchEntry
    from tongban.org.models import ServiceCenter

    departments = list(SearchEntry.objects.values_list("department_code", flat=True).distinct())
    towns = list(
        ServiceCenter.objects.filter(level=ServiceCenter.Level.TOWN).values_list(
            "statistical_code", flat=True
        )
    )
    shapes = [
        ("words", lambda: {"q": rng.choice(WORD_QUERIES)}),
        ("words", lambda: {"q": rng.choice(WORD_QUERIES)}),
        ("words", lambda: {"q": rng.choice(WORD_QUERIES)}),
        ("one character", lambda: {"q": rng.choice(CHAR_QUERIES)}),
        ("pinyin", lambda: {"q": rng.choice(PINYIN_QUERIES)}),
        (
            "words + filter",
            lambda: {"q": rng.choice(WORD_QUERIES), "department": rng.choice(departments)},
        ),
        ("words, pages 2-5", lambda: {"q": rng.choice(WORD_QUERIES), "page": rng.randint(2, 5)}),
        (
            "one character + filter",
            lambda: {"q": rng.choice(CHAR_QUERIES), "service_object": "person"},
        ),
        ("filters only", lambda: {"q": "", "town": rng.choice(towns)} if towns else {"q": ""}),
        (
            "filters only",
            lambda: {"q": "", "department": rng.choice(departments), "online_depth": 4},
        ),
        ("words + filter", lambda: {"q": rng.choice(WORD_QUERIES), "city_wide": True}),
        ("filters only", lambda: {"q": "", "topic": "social_security", "page": rng.randint(1, 3)}),
    ]
    chosen = [rng.choice(shapes) for _ in range(count)]
    return [(kind, make()) for kind, make in chosen]


def measure(label: str, queries: list[tuple[str, dict]]) -> None:
    from django.test import Client

    from tongban.catalog.search import search_items

    for _kind, query in queries[:20]:  # warm up: jieba, pypinyin, caches
        search_items(**query)
    timings, by_kind, hits = [], {}, 0
    for kind, query in queries:
        started = time.perf_counter()
        found = search_items(**query)
        elapsed = (time.perf_counter() - started) * 1000
        timings.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
        hits += bool(found.count)
    latencies(f"{label} search_items()", timings)
    print(f"{'  queries, of which with results':<48} {len(queries):>8} {hits:>8}")
    for kind, samples in sorted(by_kind.items()):
        latencies(f"    {kind} ({len(samples)})", samples)

    client = Client()
    client.get("/api/v1/items", {"q": "营业执照"})
    timings = []
    for _kind, query in queries:
        params = {k: ("true" if v is True else v) for k, v in query.items()}
        started = time.perf_counter()
        client.get("/api/v1/items", params)
        timings.append((time.perf_counter() - started) * 1000)
    latencies(f"{label} GET /api/v1/items", timings)


def build(label: str, count: int) -> None:
    from tongban.catalog.search import reindex

    rate(f"{label} reindex() items/s", count, reindex)


def demo_catalog(rng: random.Random) -> str:
    """The demo catalog when its loader exists; 150 generated items otherwise."""
    try:
        from tongban.catalog import demo as catalog_demo
        from tongban.org import demo as org_demo
    except ImportError:
        populate(150, rng, prefix="DEMO")
        return "150 generated items (no catalog demo yet)"
    org_demo.load()
    catalog_demo.load()
    return "the demo catalog"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="catalog search latency and index build rate")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=400)
    options = parser.parse_args(argv)
    rng = random.Random(SEED)

    with throwaway_database():
        from django.db import connection

        from tongban.catalog.models import ServiceItem
        from tongban.catalog.search import text

        started = time.perf_counter()
        text.segmenter()
        loaded = time.perf_counter() - started
        print(f"{'jieba + dictionary load (once per process)':<48} {loaded:8.2f} s")
        print(f"catalog search on {connection.vendor}, {options.queries} queries per catalog")

        what = demo_catalog(rng)
        demo_items = ServiceItem.objects.count()
        print(f"-- demo size: {what}, {demo_items} items")
        build("demo", demo_items)
        measure("demo", workload(rng, options.queries))

        extra = max(options.items - demo_items, 0)
        populate(extra, rng)
        total = ServiceItem.objects.count()
        print(f"-- generated: {total} items")
        build(f"{total}", total)
        measure(f"{total}", workload(rng, options.queries))


if __name__ == "__main__":
    main()
