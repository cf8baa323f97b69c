"""Demo population and legal entities of Zhouzhi: 5,000 people, 1,050 entities.

Deterministic (a fixed seed), so every run generates the same rows; a run creates only the
rows not there yet (found by blind index and credit code), so it is idempotent and a second
run costs a few queries. Values are encrypted in Python and rows written with
``bulk_create``; one audit record summarizes the load, as ``org.demo`` does.

Every ID number is valid: 610124 + birth date + sequence (odd for men) + check character.
Credit codes come from ``make_uscc``: registration department 9 (market regulation) with
category 1 enterprise, 2 individual business, 3 farmers' cooperative; 5 (civil affairs) 1
for social organizations; 1 (编制) 2 for public institutions; and the letter department ``N``
(agriculture and rural affairs) with category 2 for village collective economic
organizations, which python-stdnum rejects and ``validate_uscc`` accepts.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from stdnum.cn import ric

from tongban.audit import services as audit
from tongban.core.pii import blind_index
from tongban.org.demo import ORDINALS, TOWNS, VILLAGES_PER_TOWN
from tongban.org.validators import ALPHABET, make_uscc
from tongban.registry.models import LegalEntity, Person

SEED = 610124
PERSONS = 5_000
COUNTY_CODE = "610124"
BATCH = 1_000
SURNAMES = (
    "王王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"
    "程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝"
    "孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪"
    "心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启"
    "克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶"
    "怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希"
    "宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅"
    "剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿烟"
)
# Mobile number prefixes (first three digits) of the three carriers.
MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (
        *range(130, 140),
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        173,
        175,
        176,
        177,
        178,
        *range(180, 190),
        191,
        198,
        199,
    )
    if prefix != 134
)
SHOP_KINDS = (
    "便民超市",
    "商店",
    "农资店",
    "五金店",
    "面馆",
    "饭店",
    "理发店",
    "农家乐",
    "烟酒店",
    "摩托车修理部",
    "副食店",
    "服装店",
    "手机店",
    "水果店",
    "建材店",
    "药店",
)
BRANDS = (
    "秦岭",
    "终南",
    "楼观",
    "黑河",
    "渭水",
    "仙游",
    "骆峪",
    "金果",
    "绿源",
    "丰禾",
    "佳沃",
    "猕香",
    "翠香",
    "徐香",
    "海沃德",
    "秦美",
    "华圣",
    "鼎盛",
    "兴农",
    "惠民",
    "众鑫",
    "宏达",
)
ENTERPRISE_KINDS = (
    ("猕猴桃果业有限公司", "农业"),
    ("农业科技有限公司", "农业"),
    ("冷链物流有限公司", "交通运输、仓储和邮政业"),
    ("建筑工程有限公司", "建筑业"),
    ("商贸有限公司", "批发和零售业"),
    ("旅游开发有限公司", "租赁和商务服务业"),
    ("食品有限公司", "制造业"),
    ("电子商务有限公司", "信息传输、软件和信息技术服务业"),
)
COOPERATIVE_KINDS = (
    "猕猴桃专业合作社",
    "猕猴桃种植专业合作社",
    "中药材专业合作社",
    "蔬菜专业合作社",
    "养殖专业合作社",
    "苗木专业合作社",
    "农机专业合作社",
)
SOCIAL_NAMES = (
    "猕猴桃产业协会",
    "个体劳动者协会",
    "老年人体育协会",
    "书法家协会",
    "摄影家协会",
    "电子商务协会",
    "志愿者协会",
    "民间文艺家协会",
)
INSTITUTION_NAMES = (
    "农业技术推广中心",
    "猕猴桃试验站",
    "文化馆",
    "图书馆",
    "水利工作站",
    "林业工作站",
    "疾病预防控制中心",
    "妇幼保健院",
)
# (entity type, registration department, category, how many)
PLAN = (
    (LegalEntity.Type.INDIVIDUAL, "9", "2", 450),
    (LegalEntity.Type.ENTERPRISE, "9", "1", 260),
    (LegalEntity.Type.COOPERATIVE, "9", "3", 220),
    (LegalEntity.Type.COLLECTIVE, "N", "2", len(TOWNS) * VILLAGES_PER_TOWN),
    (LegalEntity.Type.SOCIAL, "5", "1", len(SOCIAL_NAMES)),
    (LegalEntity.Type.INSTITUTION, "1", "2", len(INSTITUTION_NAMES)),
)
ENTITIES = sum(count for *_rest, count in PLAN)


@dataclass(frozen=True)
class Summary:
    persons: int
    entities: int
    created_persons: int
    created_entities: int

    def __str__(self):
        return (
            f"人口库、法人库演示数据已就绪:人口 {self.persons} 人(本次新增 "
            f"{self.created_persons}),法人 {self.entities} 个(本次新增 {self.created_entities})。"
        )


@dataclass(frozen=True)
class Village:
    town: str
    name: str
    code: str


def villages() -> list[Village]:
    """The org demo's villages (communities under the street), with their codes."""
    found = []
    for town, code in TOWNS:
        street = town.endswith("街道")
        kind, first = ("社区", 1) if street else ("村", 201)
        for n in range(VILLAGES_PER_TOWN):
            found.append(Village(town, f"第{ORDINALS[n]}{kind}", f"{code}{first + n:03d}"))
    return found


def id_number(birth: datetime.date, sequence: int) -> str:
    """A valid Zhouzhi ID number; ``sequence`` (0–999) odd for a man."""
    first17 = f"{COUNTY_CODE}{birth:%Y%m%d}{sequence:03d}"
    # stdnum takes the whole number and ignores its last character.
    return first17 + ric.calc_check_digit(first17 + "0")


def is_loaded() -> bool:
    return (
        Person.objects.filter(is_demo=True).count() >= PERSONS
        and LegalEntity.objects.filter(is_demo=True).count() >= ENTITIES
    )


def load() -> Summary:
    rng = random.Random(SEED)
    people = _people(rng)
    entities = _entities(rng, people)
    with transaction.atomic():
        known = set(
            Person.objects.filter(
                id_number_hash__in=[p.id_number_hash for p in people]
            ).values_list("id_number_hash", flat=True)
        )
        new_people = [p for p in people if p.id_number_hash not in known]
        Person.objects.bulk_create(new_people, batch_size=BATCH)
        known_codes = set(
            LegalEntity.objects.filter(uscc__in=[e.uscc for e in entities]).values_list(
                "uscc", flat=True
            )
        )
        new_entities = [e for e in entities if e.uscc not in known_codes]
        LegalEntity.objects.bulk_create(new_entities, batch_size=BATCH)
        summary = Summary(
            Person.objects.filter(is_demo=True).count(),
            LegalEntity.objects.filter(is_demo=True).count(),
            len(new_people),
            len(new_entities),
        )
        audit.record("load_demo", "registry.demo.load", note=str(summary))
    return summary


def _people(rng: random.Random) -> list[Person]:
    places = villages()
    used: set[tuple[datetime.date, int]] = set()
    start, span = (
        datetime.date(1940, 1, 1),
        (datetime.date(2008, 12, 31) - datetime.date(1940, 1, 1)).days,
    )
    people = []
    while len(people) < PERSONS:
        birth = start + datetime.timedelta(days=rng.randrange(span))
        male = rng.random() < 0.51
        sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
        if (birth, sequence) in used:
            continue
        used.add((birth, sequence))
        number = id_number(birth, sequence)
        place = rng.choice(places)
        people.append(
            Person(
                id_number=number,
                id_number_hash=blind_index(number, "id_number"),
                name=_name(rng, male),
                sex=Person.Sex.MALE if male else Person.Sex.FEMALE,
                birth_date=birth,
                address=(
                    f"陕西省西安市周至县{place.town}{place.name}"
                    f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
                ),
                phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                division=place.code,
                is_demo=True,
            )
        )
    return people


def _name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def _entities(rng: random.Random, people: list[Person]) -> list[LegalEntity]:
    adults = [p for p in people if p.birth_date.year <= 2000]
    places = villages()
    used_bodies: set[str] = set()
    entities = []
    for entity_type, department, category, count in PLAN:
        for n in range(count):
            body = _org_code_body(rng, used_bodies)
            rep = rng.choice(adults)
            place = (
                places[n % len(places)]
                if entity_type == LegalEntity.Type.COLLECTIVE
                else (rng.choice(places))
            )
            name, industry, capital = _entity_name(rng, entity_type, place, n)
            entities.append(
                LegalEntity(
                    uscc=make_uscc(department, category, COUNTY_CODE, body),
                    name=name,
                    entity_type=entity_type,
                    legal_rep_name=rep.name,
                    legal_rep_id_number=rep.id_number,
                    legal_rep_id_hash=rep.id_number_hash,
                    registered_address=f"陕西省西安市周至县{place.town}{place.name}",
                    industry=industry,
                    registered_capital=capital,
                    status=LegalEntity.Status.ACTIVE
                    if rng.random() < 0.92
                    else rng.choice([LegalEntity.Status.CANCELLED, LegalEntity.Status.REVOKED]),
                    established_on=datetime.date(2000, 1, 1)
                    + datetime.timedelta(days=rng.randrange(9_000)),
                    is_demo=True,
                )
            )
    return entities


def _org_code_body(rng: random.Random, used: set[str]) -> str:
    """An 8-character organization code body in the post-2015 "MA" series."""
    while True:
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
        if body not in used:
            used.add(body)
            return body


def _entity_name(rng: random.Random, entity_type, place: Village, n: int):
    brand = rng.choice(BRANDS)
    town = place.town
    if entity_type == LegalEntity.Type.INDIVIDUAL:
        return (
            f"周至县{town}{brand}{rng.choice(SHOP_KINDS)}",
            "批发和零售业",
            Decimal(rng.choice([1, 2, 3, 5, 10])),
        )
    if entity_type == LegalEntity.Type.ENTERPRISE:
        kind, industry = rng.choice(ENTERPRISE_KINDS)
        return f"周至县{brand}{kind}", industry, Decimal(rng.choice([50, 100, 200, 500, 1000]))
    if entity_type == LegalEntity.Type.COOPERATIVE:
        return (
            f"周至县{town}{brand}{rng.choice(COOPERATIVE_KINDS)}",
            "农、林、牧、渔业",
            Decimal(rng.choice([10, 30, 50, 100, 300])),
        )
    if entity_type == LegalEntity.Type.COLLECTIVE:
        return f"周至县{town}{place.name}股份经济合作社", "农、林、牧、渔业", None
    if entity_type == LegalEntity.Type.SOCIAL:
        return f"周至县{SOCIAL_NAMES[n]}", "社会组织", Decimal(3)
    return f"周至县{INSTITUTION_NAMES[n]}", "公共管理、社会保障和社会组织", None
