"""Search: ranking, pinyin, one character, filters, pages, and the index following the catalog.

The suite runs on SQLite (FTS5) and, in CI, on PostgreSQL (tsvector): the same tests cover
both branches of ``search.engine``.
"""

import pytest
from django.core.management import call_command
from django.db import connection

from tongban.catalog import search, services
from tongban.catalog.models import Guide
from tongban.catalog.search import engine, text
from tongban.catalog.search_models import SearchEntry
from tongban.catalog.tests.factories import (
    DEFAULT_MATERIALS,
    BaseItemFactory,
    draft_item,
    published_item,
)
from tongban.org.tests.factories import (
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
)

pytestmark = pytest.mark.django_db


def make(name: str, *, item_type: str = "01", code: str | None = None, **guide):
    """A published item named ``name`` (its base item too, so only ``name`` says it)."""
    base = BaseItemFactory(name=name, item_type=item_type)
    return published_item(base_item=base, implementation_code=code, name=name, **guide)


def names(page) -> list[str]:
    return [item.current_guide.name for item in page.items]


@pytest.fixture
def licenses():
    """Two items named for the business license, two that only mention it, one unrelated."""
    found = {
        "restore": make("企业营业执照遗失补领", code="C-04"),
        "cancel": make("个体工商户营业执照注销登记", code="C-03"),
        "setup": make(
            "企业设立登记", code="C-01", keywords="开办企业 营业执照", result_name="营业执照"
        ),
        "food": make(
            "食品经营许可证核发",
            code="C-02",
            materials=[{**DEFAULT_MATERIALS[1], "name": "营业执照复印件"}],
        ),
        "elderly": make("高龄津贴发放", item_type="05", code="C-05", keywords="老年人 补贴"),
    }
    search.reindex()
    return found


# --- ranking and matching -------------------------------------------------------------


def test_items_named_for_the_query_come_first(licenses):
    found = search.search_items("营业执照")

    assert found.count == 4
    assert set(names(found)[:2]) == {"企业营业执照遗失补领", "个体工商户营业执照注销登记"}
    assert set(names(found)[2:]) == {"企业设立登记", "食品经营许可证核发"}


def test_keywords_rank_above_materials(licenses):
    found = search.search_items("营业执照")

    assert names(found)[2:] == ["企业设立登记", "食品经营许可证核发"]


def test_equal_matches_are_ordered_by_implementation_code():
    make("社会保障卡申领", code="B-2")
    make("社会保障卡申领", code="B-1")
    make("社会保障卡申领", code="B-3")
    search.reindex()

    found = search.search_items("社会保障卡")

    assert [item.implementation_code for item in found.items] == ["B-1", "B-2", "B-3"]


@pytest.mark.parametrize("q", ["yyzz", "YYZZ", "ＹＹＺＺ", "yingyezhizhao", "gtgsh", "yyzzzx"])
def test_pinyin_finds_names(licenses, q):
    found = search.search_items(q)

    assert found.items, q
    assert "营业执照" in names(found)[0] or "个体工商户" in names(found)[0]


def test_pinyin_initials_find_every_business_license_name(licenses):
    found = search.search_items("yyzz")

    assert set(names(found)[:2]) == {"企业营业执照遗失补领", "个体工商户营业执照注销登记"}


def test_one_character_finds_household_items():
    make("户口迁移", item_type="07", keywords="迁户口")
    make("户籍证明开具", item_type="07", keywords="")
    make("高龄津贴发放", item_type="05", keywords="老年人")
    search.reindex()

    found = search.search_items("户")

    assert set(names(found)) == {"户口迁移", "户籍证明开具"}


def test_an_abbreviation_finds_the_full_name():
    make("社会保障卡申领", keywords="")
    make("高龄津贴发放", item_type="05", keywords="")
    search.reindex()

    assert names(search.search_items("社保卡")) == ["社会保障卡申领"]


def test_a_sentence_finds_what_it_asks_for(licenses):
    found = search.search_items("我要办营业执照")

    assert set(names(found)[:2]) == {"企业营业执照遗失补领", "个体工商户营业执照注销登记"}


def test_words_found_apart_still_match_when_not_together(licenses):
    found = search.search_items("营业执照 高龄津贴")

    assert {"企业营业执照遗失补领", "高龄津贴发放"} <= set(names(found))


def test_guide_text_is_searched():
    make("残疾人两项补贴申请", item_type="05", faq=[{"q": "精神残疾可以申请吗?", "a": "可以"}])
    make("高龄津贴发放", item_type="05")
    search.reindex()

    assert names(search.search_items("精神残疾")) == ["残疾人两项补贴申请"]


def test_the_department_name_is_searched():
    department = DepartmentFactory(name="周至县医疗保障局", short_name="县医保局")
    make("城乡居民医疗保险参保登记", department=department)
    make("高龄津贴发放", item_type="05")
    search.reindex()

    assert names(search.search_items("医疗保障局")) == ["城乡居民医疗保险参保登记"]


def test_an_implementation_code_finds_its_item():
    make("城乡居民养老保险参保登记", code="11610124MB0123456X3000117001")
    make("高龄津贴发放", item_type="05", code="11610124MB0123456X3000117002")
    search.reindex()

    assert names(search.search_items("11610124MB0123456X3000117001")) == [
        "城乡居民养老保险参保登记"
    ]
    assert search.search_items("11610124mb0123456x").count == 2


def test_a_query_of_punctuation_finds_nothing(licenses):
    assert search.search_items("!!! ,,") == search.SearchPage(0, [])


def test_an_empty_query_lists_every_item_by_implementation_code(licenses):
    found = search.search_items("  ")

    assert [item.implementation_code for item in found.items] == [
        "C-01",
        "C-02",
        "C-03",
        "C-04",
        "C-05",
    ]
    assert found.count == 5


# --- filters --------------------------------------------------------------------------


def test_department_filter():
    tax = DepartmentFactory(code="tax")
    make("契税申报", department=tax, code="T-1")
    make("契税减免", code="T-2")
    search.reindex()

    assert [i.implementation_code for i in search.search_items(department="tax").items] == ["T-1"]
    assert [i.implementation_code for i in search.search_items("契税", department="tax").items] == [
        "T-1"
    ]


def test_item_type_filter(licenses):
    found = search.search_items(item_type="05")

    assert names(found) == ["高龄津贴发放"]


def test_service_object_filter_includes_items_for_both():
    make("个人事项", code="S-1", service_object=Guide.ServiceObject.PERSON)
    make("法人事项", code="S-2", service_object=Guide.ServiceObject.ENTERPRISE)
    make("共同事项", code="S-3", service_object=Guide.ServiceObject.BOTH)
    search.reindex()

    def codes(value):
        return [i.implementation_code for i in search.search_items(service_object=value).items]

    assert codes("person") == ["S-1", "S-3"]
    assert codes("enterprise") == ["S-2", "S-3"]
    assert codes("both") == ["S-3"]


def test_online_depth_filter():
    make("全程网办事项", code="D-4", online_depth=4, max_visits=0, visit_reason="")
    make("网上预审事项", code="D-3", online_depth=3)
    search.reindex()

    assert names(search.search_items(online_depth=4)) == ["全程网办事项"]
    assert names(search.search_items("事项", online_depth=3)) == ["网上预审事项"]


def test_town_filter_finds_items_accepted_in_the_town_or_its_villages():
    town, other_town = TownCenterFactory(), TownCenterFactory()
    village = VillageCenterFactory(parent=town)
    make("镇上受理事项", code="P-1", points=[{"center": town, "mode": "entrusted"}])
    make("村里代办事项", code="P-2", points=[{"center": village, "mode": "assisted"}])
    make("别镇受理事项", code="P-3", points=[{"center": other_town, "mode": "entrusted"}])
    make("县中心事项", code="P-4")
    search.reindex()

    found = search.search_items(town=town.statistical_code)

    assert [item.implementation_code for item in found.items] == ["P-1", "P-2"]


def test_topic_filter():
    make("出生医学证明首次签发", code="O-1", topics=["birth", "medical"])
    make("户口迁移", code="O-2", topics=["household"])
    search.reindex()

    assert names(search.search_items(topic="medical")) == ["出生医学证明首次签发"]
    assert names(search.search_items(topic="birth")) == ["出生医学证明首次签发"]
    assert names(search.search_items(topic="elderly")) == []


@pytest.mark.parametrize("flag", ["city_wide", "cross_province"])
def test_flag_filters(flag):
    make("通办事项", code="F-1", **{flag: True})
    make("本地事项", code="F-2")
    search.reindex()

    assert names(search.search_items(**{flag: True})) == ["通办事项"]
    assert names(search.search_items(**{flag: False})) == ["本地事项"]
    assert search.search_items(**{flag: None}).count == 2


# --- pages ----------------------------------------------------------------------------


@pytest.fixture
def seven_permits():
    for n in range(7):
        make(f"施工许可证核发{n}", code=f"K-{n}")
    search.reindex()


def test_pages_split_the_ranked_results(seven_permits):
    pages = [search.search_items("施工许可", page=n, page_size=3) for n in (1, 2, 3)]

    assert [page.count for page in pages] == [7, 7, 7]
    assert [len(page.items) for page in pages] == [3, 3, 1]
    codes = [item.implementation_code for page in pages for item in page.items]
    assert codes == [f"K-{n}" for n in range(7)]


def test_a_page_past_the_end_is_empty_but_counts(seven_permits):
    assert search.search_items("施工许可", page=9, page_size=3) == search.SearchPage(7, [])
    assert search.search_items("", page=9, page_size=3) == search.SearchPage(7, [])


def test_page_size_is_at_most_500(seven_permits):
    found = search.search_items("", page_size=10_000)

    assert len(found.items) == 7
    assert search.MAX_PAGE_SIZE == 500


def test_a_page_loads_items_guides_and_departments_in_two_queries(
    seven_permits, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        found = search.search_items("施工许可")
        shown = [(i.current_guide.name, i.department.name, i.base_item.name) for i in found.items]

    assert len(shown) == 7


# --- what is found --------------------------------------------------------------------


def test_an_item_without_a_version_in_force_is_not_found():
    draft_item(name="尚未发布的事项")
    make("已发布的事项")
    search.reindex()

    assert names(search.search_items("事项")) == ["已发布的事项"]
    assert SearchEntry.objects.count() == 1


def test_an_item_taken_out_of_use_is_no_longer_found(licenses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_item(licenses["restore"], by=None, is_active=False)

    assert "企业营业执照遗失补领" not in names(search.search_items("营业执照"))
    assert "企业营业执照遗失补领" not in names(search.search_items(""))
    assert search.search_items("营业执照").count == 3


def test_the_index_follows_a_new_version(licenses, django_capture_on_commit_callbacks):
    item = licenses["restore"]
    draft = services.start_revision(item, by=None)
    services.update_draft(draft, by=None, name="企业执照遗失补办")
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, by=None)

    assert "企业营业执照遗失补领" not in names(search.search_items("营业执照"))
    assert names(search.search_items("补办")) == ["企业执照遗失补办"]
    assert SearchEntry.objects.get(item=item).guide_id == draft.pk


def test_a_publication_is_indexed_without_a_rebuild(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make("不动产登记首次登记")

    assert names(search.search_items("不动产")) == ["不动产登记首次登记"]


def test_a_renamed_department_is_found_by_its_new_name(
    licenses, django_capture_on_commit_callbacks
):
    department = licenses["elderly"].department
    department.name = "周至县民政局"
    with django_capture_on_commit_callbacks(execute=True):
        department.save()

    assert names(search.search_items("民政局")) == ["高龄津贴发放"]


def test_reindex_of_some_items_leaves_the_others(licenses):
    assert search.reindex([licenses["food"].pk]) == 1
    assert search.search_items("").count == 5


def test_reindex_catalog_command_rebuilds_the_index(licenses, capsys):
    SearchEntry.objects.all().delete()

    call_command("reindex_catalog")

    assert "5" in capsys.readouterr().out
    assert search.search_items("营业执照").count == 4


def test_reindex_catalog_command_takes_codes(licenses, capsys):
    SearchEntry.objects.all().delete()

    call_command("reindex_catalog", "C-05")

    assert names(search.search_items("")) == ["高龄津贴发放"]


# --- terms and query syntax -----------------------------------------------------------


def test_government_terms_stay_whole():
    assert text.words("一网通办残疾人两项补贴") == ["一网通办", "残疾人两项补贴"]


def test_long_terms_are_indexed_with_the_words_inside():
    found = list(text.search_words("建设工程规划许可证"))

    assert {"建设工程", "规划许可", "许可证", "建设工程规划许可证"} <= set(found)


def test_name_terms_hold_characters_and_pinyin():
    found = text.name_terms("营业执照遗失补领")

    assert {"营", "业", "执", "照", "yyzz", "yingyezhizhao", "yyzzysbl", "ysbl"} <= set(found)


def test_the_dictionary_reports_a_bad_line(tmp_path):
    bad = tmp_path / "terms.txt"
    bad.write_text("# 注释\n营业执照 5 n\n不动产 登记 n\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"terms\.txt:3"):
        list(text.read_dictionary(bad))


def test_queries_become_terms():
    assert engine.parse("我要办 营业执照 yyzz 户") == [
        engine.Term("营业执照", chars=("营", "业", "执", "照")),
        engine.Term("yyzz", prefix=True),
        engine.Term("户"),
    ]


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_both_databases_get_a_ranked_query(vendor):
    terms = engine.parse("营业执照 yyzz")
    sql, params = engine.ranked_sql(
        vendor, terms, "e.is_active = %s", [True], any_term=False, limit=20, offset=0
    )

    assert sql.count("%s") == len(params)
    if vendor == "postgresql":
        assert "'yyzz':*A" in params[0]
        assert params[2] == "'营业执照' & 'yyzz':*"
        assert "'营业执照' | ('营' & '业' & '执' & '照')) & 'yyzz':*" in params[3]
    else:
        assert params[0] == '("营业执照" OR ("营" AND "业" AND "执" AND "照")) AND "yyzz"*'
        assert params[1].startswith("{name_terms} : (")


def test_the_full_text_index_is_the_databases_own():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "catalog_searchentry")
        ]
    if connection.vendor == "postgresql":
        assert "document" in columns
    else:
        assert "catalog_searchentry_fts" in tables


def test_the_sqlite_full_text_index_stays_consistent_with_its_table(
    licenses, django_capture_on_commit_callbacks
):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL generates the document in the row: nothing can drift")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_item(licenses["cancel"], by=None, is_active=False)
    SearchEntry.objects.filter(item=licenses["food"]).update(keyword_terms="食品 经营")
    search.reindex([licenses["setup"].pk])

    with connection.cursor() as cursor:
        # FTS5 compares its index with the content table and raises on any difference.
        cursor.execute(
            "INSERT INTO catalog_searchentry_fts(catalog_searchentry_fts, rank) "
            "VALUES ('integrity-check', 1)"
        )
    assert names(search.search_items("食品 经营")) == ["食品经营许可证核发"]
