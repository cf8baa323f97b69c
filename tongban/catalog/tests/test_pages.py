import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from tongban.catalog import services
from tongban.catalog.models import AcceptancePoint
from tongban.catalog.tests.factories import BaseItemFactory, published_item
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db

EVERY_MATERIAL = [
    {
        "name": "居民身份证",
        "source": "government",
        "source_note": "公安机关核发",
        "copies": 1,
        "medium": "both",
        "requirement": "required",
        "condition": "",
        "license_type_code": "11100000000013338W001",
        "shared_data_item": "",
        "notes": "",
    },
    {
        "name": "食品经营许可申请书",
        "source": "applicant",
        "source_note": "",
        "copies": 2,
        "medium": "paper",
        "requirement": "required",
        "condition": "",
        "blank_form": "catalog/forms/shenqingshu.docx",
        "sample": "catalog/samples/shenqingshu-yangli.pdf",
        "notes": "法定代表人签字并加盖公章",
    },
    {
        "name": "委托书",
        "source": "applicant",
        "copies": 1,
        "medium": "paper",
        "requirement": "conditional",
        "condition": "委托他人代为办理的",
        "shared_data_item": "",
    },
    {
        "name": "营业执照",
        "source": "government",
        "copies": 1,
        "medium": "electronic",
        "requirement": "required",
        "shared_data_item": "registry.enterprise",
    },
]
EVERY_STEP = [
    {"name": "受理", "days": 0, "description": "材料齐全的当场受理"},
    {"name": "审查", "days": 4, "description": "审查材料,必要时现场核查"},
    {"name": "决定", "days": 1, "description": "作出准予许可的决定"},
    {"name": "送达", "days": 1, "description": "邮寄或窗口领取许可证"},
]


def every_element_item(**overrides):
    """A published licensing item whose guide has every element a guide can have."""
    county = CountyCenterFactory(name="周至县政务服务中心")
    window = WindowFactory(
        center=county, number="B03", name="市场监管窗口", window_type="cross_region"
    )
    town = TownCenterFactory(
        name="哑柏镇便民服务中心", address="哑柏镇正街 1 号", phone="029-87111111"
    )
    village = VillageCenterFactory(parent=town, name="哑柏镇东村便民服务站")
    fields = {
        "implementation_code": "11610124MB1234567X4000111001001",
        "base_item": BaseItemFactory(
            base_code="000111001000",
            name="食品经营许可",
            item_type="01",
            legal_basis="《中华人民共和国食品安全法》第三十五条",
            level="county",
        ),
        "department": DepartmentFactory(name="周至县市场监督管理局", short_name="市场监管局"),
        "name": "食品经营许可(新办)",
        "keywords": "食品 经营 许可证 餐饮",
        "service_object": "both",
        "acceptance_conditions": "有与经营的食品品种、数量相适应的经营场所",
        "legal_basis": "《食品经营许可和备案管理办法》第十条",
        "statutory_days": 20,
        "promised_days": 7,
        "max_visits": 1,
        "visit_reason": "领取许可证原件",
        "online_depth": 3,
        "online_flags": [1, 2, 3, 6],
        "charges_fee": True,
        "fee_basis": "陕价费发〔2020〕12号",
        "fee_standard": "工本费每证 10 元",
        "online_payment": True,
        "result_name": "食品经营许可证",
        "result_type": "license",
        "result_sample": "catalog/results/xukezheng.pdf",
        "apply_ways": ["window", "online", "mail"],
        "delivery_ways": ["window", "mail", "electronic"],
        "location": "周至县政务服务中心二楼",
        "windows": [window],
        "hours": "周一至周五 9:00-17:00",
        "consult_phone": "029-87222222",
        "consult_address": "周至县政务服务中心一楼咨询台",
        "complaint_channel": "12345 政务服务便民热线",
        "review_channel": "周至县人民政府或西安市市场监督管理局",
        "litigation_channel": "周至县人民法院",
        "joint_departments": [DepartmentFactory(name="周至县卫生健康局", short_name="卫健局")],
        "intermediary_services": "食品安全检测报告(可自愿选择检测机构)",
        "faq": [{"q": "许可证有效期多久?", "a": "有效期为 5 年。"}],
        "topics": ["permits", "business_start"],
        "city_wide": True,
        "cross_province": True,
        "form_schema": {
            "title": "食品经营许可申请表",
            "fields": [{"key": "shop_name", "type": "text", "label": "店铺名称", "required": True}],
        },
        "steps": EVERY_STEP,
        "materials": EVERY_MATERIAL,
        "points": [
            {"center": town, "mode": AcceptancePoint.Mode.ENTRUSTED},
            {"center": village, "mode": AcceptancePoint.Mode.ASSISTED},
        ],
    }
    fields.update(overrides)
    return published_item(**fields)


def text_of(response) -> str:
    """The visible text of a page, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def new_version(item, **fields):
    """Publish v(n+1) of ``item`` with changed elements, in force today."""
    draft = services.start_revision(item, by=None)
    services.update_draft(draft, by=None, **fields)
    services.publish(draft, by=None)
    item.refresh_from_db()
    return item


# --- the guide page -----------------------------------------------------------------


def test_guide_page_shows_every_element_the_item_has(client):
    item = every_element_item()

    response = client.get(f"/items/{item.implementation_code}/")

    assert response.status_code == 200
    text = text_of(response)
    expected = [
        # basic information
        "食品经营许可(新办)",
        "行政许可",
        "000111001000",
        "11610124MB1234567X4000111001001",
        "周至县市场监督管理局",
        "县级",
        "自然人、法人",
        "承诺件",
        "前审后批",
        "20 个工作日",
        "7 个工作日",
        "领取许可证原件",
        "Ⅲ级 网上预审",
        "网上咨询、网上收件、网上预审、网上反馈结果",
        "准营准办、设立变更",
        "食品 经营 许可证 餐饮",
        # acceptance conditions, materials
        "有与经营的食品品种、数量相适应的经营场所",
        "居民身份证",
        "公安机关核发",
        "食品经营许可申请书",
        "法定代表人签字并加盖公章",
        "委托他人代为办理的",
        "容缺或情形必要",
        "纸质或电子",
        "证照类型 11100000000013338W001",
        "registry.enterprise",
        # steps with their limits
        "受理 当日",
        "审查 4 个工作日",
        "审查材料,必要时现场核查",
        "送达 1 个工作日",
        "各环节时限合计 6 个工作日",
        # fees, result
        "工本费每证 10 元",
        "陕价费发〔2020〕12号",
        "支持网上支付",
        "食品经营许可证",
        "证照",
        # ways, delivery, location, windows, hours
        "窗口、网上、邮寄",
        "窗口领取、邮寄、电子送达",
        "周至县政务服务中心二楼",
        "周至县政务服务中心 B03 号窗口(市场监管窗口)",
        "周一至周五 9:00-17:00",
        # nearby acceptance points with their mode
        "哑柏镇便民服务中心",
        "委托受理",
        "哑柏镇东村便民服务站",
        "帮办代办",
        "哑柏镇正街 1 号",
        # consultation, complaint, review, litigation
        "029-87222222",
        "周至县政务服务中心一楼咨询台",
        "12345 政务服务便民热线",
        "周至县人民政府或西安市市场监督管理局",
        "周至县人民法院",
        # legal basis (set and implemented), joint departments, intermediary services, FAQ
        "《中华人民共和国食品安全法》第三十五条",
        "《食品经营许可和备案管理办法》第十条",
        "周至县卫生健康局",
        "食品安全检测报告(可自愿选择检测机构)",
        "许可证有效期多久?",
        "有效期为 5 年。",
        # badges, version and effective date
        "全市通办",
        "跨省通办",
        "现行版本",
        "第 1 版",
    ]
    missing = [value for value in expected if value not in text]
    assert missing == []
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日起施行" in text


def test_guide_page_links_the_blank_form_sample_and_result_sample(client):
    item = every_element_item()

    html = client.get(f"/items/{item.implementation_code}/").content.decode()

    assert 'href="/media/catalog/forms/shenqingshu.docx"' in html
    assert 'href="/media/catalog/samples/shenqingshu-yangli.pdf"' in html
    assert 'href="/media/catalog/results/xukezheng.pdf"' in html


def test_exemptible_materials_say_they_need_not_be_submitted(client):
    item = every_element_item()

    text = text_of(client.get(f"/items/{item.implementation_code}/"))

    assert text.count("可免提交:") == 2
    assert "持有相应电子证照(证照类型 11100000000013338W001)的,免于提交" in text
    assert "可通过部门间数据共享获取(registry.enterprise),免于提交" in text
    assert "其中 2 项材料可通过电子证照或数据共享获取" in text


def test_guide_tables_carry_labels_so_phones_can_stack_them(client):
    item = every_element_item()

    html = client.get(f"/items/{item.implementation_code}/").content.decode()

    assert html.count('data-label="材料名称"') == len(EVERY_MATERIAL)
    assert html.count('data-label="办理方式"') == 2


def test_a_guide_without_fee_or_optional_elements_says_no_fee_and_hides_empty_ones(client):
    item = published_item(name="居民身份证换领", intermediary_services="", faq=[])

    text = text_of(client.get(f"/items/{item.implementation_code}/"))

    assert "不收费" in text
    assert "中介服务" not in text
    assert "常见问题" not in text
    assert "全市通办" not in text


def test_an_unknown_item_is_a_404_page_in_chinese_that_offers_a_search(client):
    response = client.get("/items/NO-SUCH-CODE/")

    assert response.status_code == 404
    text = text_of(response)
    assert "没有找到该事项的现行办事指南(实施编码 NO-SUCH-CODE)" in text
    assert 'id="missing-q"' in response.content.decode()


def test_guide_page_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    item = every_element_item()

    with django_assert_max_num_queries(9):
        response = client.get(f"/items/{item.implementation_code}/")

    assert response.status_code == 200


# --- print -------------------------------------------------------------------------


def test_print_page_is_a_standalone_a4_guide_with_every_element(client):
    item = every_element_item()

    response = client.get(f"/items/{item.implementation_code}/print/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "catalog/print.css" in html
    assert "portal/portal.css" not in html
    assert "site-header" not in html
    text = text_of(response)
    for value in ("食品经营许可(新办)", "证照类型 11100000000013338W001", "哑柏镇便民服务中心"):
        assert value in text
    assert "打印日期" in text


def test_print_stylesheet_sets_a4_pages(client):
    css = Path(finders.find("catalog/print.css")).read_text(encoding="utf-8")

    assert "size: A4" in css


# --- versions ------------------------------------------------------------------------


def test_a_superseded_version_stays_readable_and_is_marked_superseded(client):
    item = every_element_item()
    code = item.implementation_code
    new_version(item, promised_days=6, hours="周一至周六 9:00-17:00")

    current = text_of(client.get(f"/items/{code}/"))
    old = client.get(f"/items/{code}/versions/1/")

    assert "周一至周六 9:00-17:00" in current and "第 2 版" in current
    assert old.status_code == 200
    old_text = text_of(old)
    assert "历史版本,已被替代" in old_text
    assert "周一至周五 9:00-17:00" in old_text
    assert "7 个工作日" in old_text
    assert f'href="/items/{code}/"' in old.content.decode()
    assert "查看现行第 2 版办事指南" in old_text


def test_the_guide_page_lists_its_versions_with_links(client):
    item = every_element_item()
    code = item.implementation_code
    new_version(item, hours="全天")

    html = client.get(f"/items/{code}/").content.decode()

    assert f'href="/items/{code}/versions/1/"' in html
    assert "已被替代" in text_of(client.get(f"/items/{code}/"))


def test_an_old_version_prints_with_its_own_content_and_warning(client):
    item = every_element_item()
    new_version(item, hours="全天")

    text = text_of(client.get(f"/items/{item.implementation_code}/versions/1/print/"))

    assert "周一至周五 9:00-17:00" in text
    assert "历史版本,已被替代" in text


def test_a_draft_version_is_not_public(client):
    item = every_element_item()
    services.start_revision(item, by=None)

    response = client.get(f"/items/{item.implementation_code}/versions/2/")

    assert response.status_code == 404


def test_a_version_coming_into_force_later_says_when(client):
    item = every_element_item()
    draft = services.start_revision(item, by=None)
    later = timezone.localdate() + datetime.timedelta(days=10)
    services.publish(draft, by=None, effective_from=later)

    text = text_of(client.get(f"/items/{item.implementation_code}/versions/2/"))

    assert "尚未生效" in text
    assert f"将于{later.year}年{later.month}月{later.day}日起施行" in text
    current = text_of(client.get(f"/items/{item.implementation_code}/"))
    assert "现行版本 · 第 1 版" in current


# --- search and browse ------------------------------------------------------------------


def names_listed(response) -> list[str]:
    return [item.current_guide.name for item in response.context["results"]["items"]]


def test_search_page_lists_the_matching_items_with_links_to_their_guides(client, publish):
    license_ = publish(name="个体工商户营业执照登记", keywords="营业执照")
    publish(name="高龄津贴申领", keywords="高龄 津贴")

    response = client.get("/search", {"q": "营业执照"})

    assert response.status_code == 200
    assert names_listed(response) == ["个体工商户营业执照登记"]
    html = response.content.decode()
    assert f'href="/items/{license_.implementation_code}/"' in html
    assert "“营业执照”的搜索结果" in text_of(response)


def test_search_page_pages_through_results_keeping_the_query_and_filters(client, publish):
    department = DepartmentFactory(code="civil")
    for n in range(23):
        publish(name=f"救助事项{n:02d}", keywords="救助", department=department)

    first = client.get("/search", {"q": "救助", "department": "civil"})
    second = client.get("/search", {"q": "救助", "department": "civil", "page": 2})

    assert len(names_listed(first)) == 20
    assert len(names_listed(second)) == 3
    assert "共 23 个事项" in text_of(first)
    html = first.content.decode()
    assert 'href="?q=%E6%95%91%E5%8A%A9&amp;department=civil&amp;page=2"' in html


def test_search_page_filters_by_audience_including_items_for_both(client, publish):
    publish(name="个人事项", service_object="person")
    publish(name="法人事项", service_object="enterprise")
    publish(name="通用事项", service_object="both")

    response = client.get("/search", {"service_object": "enterprise"})

    assert sorted(names_listed(response)) == ["法人事项", "通用事项"]


def test_search_page_ignores_a_bad_filter_and_says_so(client, publish):
    publish(name="高龄津贴申领")

    response = client.get("/search", {"item_type": "99", "page": "zero"})

    assert response.status_code == 200
    assert names_listed(response) == ["高龄津贴申领"]
    text = text_of(response)
    assert "以下条件无效,已忽略" in text
    assert "事项类型" in text


def test_search_page_says_what_to_try_when_nothing_is_found(client, publish):
    publish(name="高龄津贴申领")

    text = text_of(client.get("/search", {"q": "潜水艇"}))

    assert "没有找到符合条件的事项" in text
    assert "共 0 个事项" in text


def test_search_page_reads_a_bounded_number_of_queries(
    client, publish, django_assert_max_num_queries
):
    for n in range(40):
        publish(name=f"事项{n}", department=DepartmentFactory())

    with django_assert_max_num_queries(6):
        response = client.get("/search", {"page": 2})

    assert len(names_listed(response)) == 20


def test_browse_by_department_counts_items_and_lists_the_chosen_ones(client, publish):
    civil = DepartmentFactory(code="civil", short_name="民政局", name="周至县民政局")
    hrss = DepartmentFactory(code="hrss", short_name="人社局")
    publish(name="高龄津贴申领", department=civil)
    publish(name="临时救助", department=civil)
    publish(name="社会保障卡申领", department=hrss)

    overview = client.get("/items/")
    chosen = client.get("/items/", {"by": "department", "department": "civil"})

    text = text_of(overview)
    assert "民政局 2 项" in text and "人社局 1 项" in text
    assert overview.context["results"] is None
    assert sorted(names_listed(chosen)) == ["临时救助", "高龄津贴申领"]
    assert "周至县民政局" in text_of(chosen)


def test_browse_by_audience_shows_its_topics_and_items(client, publish):
    publish(name="出生医学证明", service_object="person", topics=["birth"])
    publish(name="企业设立登记", service_object="enterprise", topics=["business_start"])
    publish(name="不动产登记", service_object="both", topics=["real_estate"])

    person = client.get("/items/", {"by": "person"})
    enterprise_start = client.get("/items/", {"by": "enterprise", "topic": "business_start"})

    assert sorted(names_listed(person)) == ["不动产登记", "出生医学证明"]
    assert [t["label"] for t in person.context["topics"]] == ["生育收养", "不动产"]
    assert names_listed(enterprise_start) == ["企业设立登记"]


def test_browse_by_topic_lists_life_events_and_their_items(client, publish):
    publish(name="出生医学证明", topics=["birth", "medical"])
    publish(name="结婚登记", topics=["marriage"])

    overview = client.get("/items/", {"by": "topic"})
    birth = client.get("/items/", {"by": "topic", "topic": "birth"})

    assert "生育收养 1 项" in text_of(overview) and "婚姻登记 1 项" in text_of(overview)
    assert names_listed(birth) == ["出生医学证明"]


# --- the header and the home page ----------------------------------------------------


def test_every_page_has_the_search_box_and_the_catalog_links_in_its_header(client, publish):
    item = publish()

    html = client.get(f"/items/{item.implementation_code}/").content.decode()

    assert 'action="/search"' in html and 'id="header-q"' in html
    assert 'href="/items/?by=person"' in html and 'href="/licensing-list"' in html


def test_home_page_puts_the_search_first_with_hot_items_and_browse_entries(client):
    html = client.get("/").content.decode()

    hero = html.index('class="hero hero-search"')
    assert hero < html.index('id="home-q"') < html.index("四级政务服务网络")
    assert 'id="header-q"' not in html
    assert 'href="/search?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"' in html  # 营业执照
    for entry in ("?by=person", "?by=enterprise"):
        assert f'href="/items/{entry}"' in html
    assert 'href="/items/?by=person&amp;topic=birth"' in html
