import pytest

from tongban.catalog import services
from tongban.catalog.models import AcceptancePoint
from tongban.catalog.tests.factories import BaseItemFactory
from tongban.catalog.tests.test_pages import EVERY_MATERIAL, every_element_item
from tongban.gateway.middleware import CALL_LOG_QUERIES
from tongban.org.tests.factories import DepartmentFactory, TownCenterFactory, VillageCenterFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/items"


def codes(response) -> list[str]:
    return [item["implementation_code"] for item in response.json()["items"]]


# --- the list ------------------------------------------------------------------------


def test_an_item_in_the_list_carries_its_department_and_guide_facts(client, publish):
    department = DepartmentFactory(
        code="samr", name="周至县市场监督管理局", short_name="市场监管局"
    )
    item = publish(
        implementation_code="11610124MB0001",
        base_item=BaseItemFactory(base_code="000111001000", name="食品经营许可", item_type="01"),
        department=department,
        name="食品经营许可(新办)",
        city_wide=True,
    )

    body = client.get(API).json()

    assert body["count"] == 1
    assert body["items"] == [
        {
            "implementation_code": "11610124MB0001",
            "name": "食品经营许可(新办)",
            "base_code": "000111001000",
            "item_type": "01",
            "item_type_label": "行政许可",
            "department": {
                "id": department.pk,
                "code": "samr",
                "name": "周至县市场监督管理局",
                "short_name": "市场监管局",
            },
            "service_object": "both",
            "service_object_label": "自然人、法人",
            "case_type": "promised",
            "case_type_label": "承诺件",
            "promised_days": 10,
            "statutory_days": 20,
            "max_visits": 1,
            "online_depth": 3,
            "online_depth_label": "Ⅲ级 网上预审",
            "city_wide": True,
            "cross_province": False,
            "version": 1,
            "effective_from": item.current_guide.effective_from.isoformat(),
            "url": "http://testserver/items/11610124MB0001/",
        }
    ]


def test_q_finds_the_business_license_items_first(client, publish):
    publish(name="食品经营许可", keywords="食品 餐饮")
    publish(name="居民身份证换领", keywords="身份证")
    first = publish(name="个体工商户营业执照登记", keywords="营业执照 个体户")
    second = publish(name="企业设立登记(营业执照)", keywords="营业执照 开办企业")

    found = codes(client.get(API, {"q": "营业执照"}))

    assert set(found[:2]) == {first.implementation_code, second.implementation_code}


def test_q_takes_pinyin_initials(client, publish):
    item = publish(name="营业执照遗失补领")
    publish(name="高龄津贴申领")

    assert codes(client.get(API, {"q": "yyzz"})) == [item.implementation_code]


@pytest.mark.parametrize(
    ("params", "wanted", "other"),
    [
        ({"item_type": "05"}, {"item_type": "05"}, {"item_type": "01"}),
        (
            {"service_object": "enterprise"},
            {"service_object": "enterprise"},
            {"service_object": "person"},
        ),
        ({"online_depth": 2}, {"online_depth": 2}, {"online_depth": 3}),
        ({"topic": "birth"}, {"topics": ["birth"]}, {"topics": ["permits"]}),
        ({"city_wide": "true"}, {"city_wide": True}, {}),
        ({"cross_province": "true"}, {"cross_province": True}, {}),
    ],
)
def test_each_filter_keeps_only_the_matching_items(client, publish, params, wanted, other):
    def make(fields):
        fields = dict(fields)
        if "item_type" in fields:
            fields["base_item"] = BaseItemFactory(item_type=fields.pop("item_type"))
        return publish(**fields)

    match = make(wanted)
    make(other)

    assert codes(client.get(API, params)) == [match.implementation_code]


def test_department_filter_takes_the_department_code(client, publish):
    match = publish(department=DepartmentFactory(code="civil"))
    publish(department=DepartmentFactory(code="hrss"))

    assert codes(client.get(API, {"department": "civil"})) == [match.implementation_code]


def test_town_filter_finds_items_accepted_at_the_town_or_its_villages(client, publish):
    town = TownCenterFactory(statistical_code="610124101")
    village = VillageCenterFactory(parent=town)
    at_town = publish(points=[{"center": town, "mode": AcceptancePoint.Mode.ENTRUSTED}])
    at_village = publish(points=[{"center": village, "mode": AcceptancePoint.Mode.ASSISTED}])
    publish()

    found = codes(client.get(API, {"town": "610124101"}))

    assert sorted(found) == sorted([at_town.implementation_code, at_village.implementation_code])


def test_pages_hold_page_size_items_and_count_them_all(client, publish):
    made = [publish() for _ in range(5)]

    first = client.get(API, {"page_size": 2}).json()
    third = client.get(API, {"page_size": 2, "page": 3}).json()
    beyond = client.get(API, {"page_size": 2, "page": 4}).json()

    assert (first["count"], len(first["items"])) == (5, 2)
    assert (third["count"], len(third["items"])) == (5, 1)
    assert beyond == {"count": 5, "items": []}
    every = codes(client.get(API, {"page_size": 500}))
    assert sorted(every) == sorted(i.implementation_code for i in made)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 501}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"item_type": "99"}, "item_type"),
        ({"service_object": "alien"}, "service_object"),
        ({"online_depth": 5}, "online_depth"),
        ({"town": "哑柏镇"}, "town"),
        ({"topic": "holiday"}, "topic"),
        ({"city_wide": "maybe"}, "city_wide"),
    ],
)
def test_a_bad_parameter_is_refused_field_by_field_in_chinese(client, params, field):
    response = client.get(API, params)

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid"
    assert error["message"] == "填写的内容有误,请按提示修改"
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0].startswith("格式不正确")


def test_listing_100_items_reads_a_bounded_number_of_queries(
    client, publish, django_assert_max_num_queries
):
    for n in range(100):
        publish(department=DepartmentFactory(), base_item=BaseItemFactory(), name=f"事项{n}")

    with django_assert_max_num_queries(4 + CALL_LOG_QUERIES):
        body = client.get(API, {"page_size": 100}).json()

    assert len(body["items"]) == 100
    assert len({item["department"]["code"] for item in body["items"]}) == 100


# --- one guide -----------------------------------------------------------------------


def test_a_guide_comes_with_every_element(client):
    item = every_element_item()

    response = client.get(f"{API}/{item.implementation_code}")

    assert response.status_code == 200
    guide = response.json()
    assert guide["implementation_code"] == item.implementation_code
    assert (guide["base_code"], guide["item_type"], guide["item_type_label"]) == (
        "000111001000",
        "01",
        "行政许可",
    )
    assert guide["department"]["name"] == "周至县市场监督管理局"
    assert guide["base_legal_basis"] == "《中华人民共和国食品安全法》第三十五条"
    assert (guide["version"], guide["status"]) == (1, "published")
    assert guide["effective_from"] == item.current_guide.effective_from.isoformat()
    assert guide["url"] == f"http://testserver/items/{item.implementation_code}/"
    scalars = {
        "name": "食品经营许可(新办)",
        "service_object": "both",
        "case_type": "promised",
        "review_type": "pre_review",
        "acceptance_conditions": "有与经营的食品品种、数量相适应的经营场所",
        "legal_basis": "《食品经营许可和备案管理办法》第十条",
        "statutory_days": 20,
        "promised_days": 7,
        "max_visits": 1,
        "visit_reason": "领取许可证原件",
        "online_depth": 3,
        "charges_fee": True,
        "fee_basis": "陕价费发〔2020〕12号",
        "fee_standard": "工本费每证 10 元",
        "online_payment": True,
        "result_name": "食品经营许可证",
        "result_type": "license",
        "result_type_label": "证照",
        "result_sample": "/media/catalog/results/xukezheng.pdf",
        "location": "周至县政务服务中心二楼",
        "hours": "周一至周五 9:00-17:00",
        "consult_phone": "029-87222222",
        "consult_address": "周至县政务服务中心一楼咨询台",
        "complaint_channel": "12345 政务服务便民热线",
        "review_channel": "周至县人民政府或西安市市场监督管理局",
        "litigation_channel": "周至县人民法院",
        "intermediary_services": "食品安全检测报告(可自愿选择检测机构)",
        "city_wide": True,
        "cross_province": True,
    }
    assert {key: guide[key] for key in scalars} == scalars
    assert guide["online_flags"][0] == {"code": 1, "label": "网上咨询"}
    assert [w["code"] for w in guide["apply_ways"]] == ["window", "online", "mail"]
    assert [w["label"] for w in guide["delivery_ways"]] == ["窗口领取", "邮寄", "电子送达"]
    assert guide["topics"] == [
        {"code": "permits", "label": "准营准办"},
        {"code": "business_start", "label": "设立变更"},
    ]
    assert guide["windows"] == [
        {
            "number": "B03",
            "name": "市场监管窗口",
            "window_type": "cross_region",
            "window_type_label": "跨域通办",
            "center_name": "周至县政务服务中心",
        }
    ]
    assert [d["name"] for d in guide["joint_departments"]] == ["周至县卫生健康局"]
    assert guide["faq"] == [{"q": "许可证有效期多久?", "a": "有效期为 5 年。"}]
    assert guide["form_schema"]["fields"][0]["key"] == "shop_name"
    assert [(s["name"], s["days"]) for s in guide["steps"]] == [
        ("受理", 0),
        ("审查", 4),
        ("决定", 1),
        ("送达", 1),
    ]


def test_guide_materials_say_which_can_be_exempted_and_by_what(client):
    item = every_element_item()

    materials = client.get(f"{API}/{item.implementation_code}").json()["materials"]

    assert [m["name"] for m in materials] == [m["name"] for m in EVERY_MATERIAL]
    id_card, form, proxy, license_ = materials
    assert (id_card["exemptible"], id_card["license_type_code"]) == (
        True,
        "11100000000013338W001",
    )
    assert (license_["exemptible"], license_["shared_data_item"]) == (True, "registry.enterprise")
    assert form["exemptible"] is False
    assert form["blank_form"] == "/media/catalog/forms/shenqingshu.docx"
    assert form["sample"] == "/media/catalog/samples/shenqingshu-yangli.pdf"
    assert (form["copies"], form["medium"], form["medium_label"]) == (2, "paper", "纸质")
    assert (proxy["requirement"], proxy["condition"]) == ("conditional", "委托他人代为办理的")
    assert id_card["source_label"] == "政府部门核发"


def test_guide_acceptance_points_name_the_center_and_the_mode(client):
    item = every_element_item()

    points = client.get(f"{API}/{item.implementation_code}").json()["acceptance_points"]

    by_name = {p["center"]["name"]: p for p in points}
    town = by_name["哑柏镇便民服务中心"]
    assert (town["mode"], town["mode_label"]) == ("entrusted", "委托受理")
    assert town["center"]["level"] == "town"
    assert town["center"]["address"] == "哑柏镇正街 1 号"
    assert by_name["哑柏镇东村便民服务站"]["mode_label"] == "帮办代办"


def test_the_guide_is_the_version_in_force(client):
    item = every_element_item()
    draft = services.start_revision(item, by=None)
    services.update_draft(draft, by=None, hours="全天")
    services.publish(draft, by=None)

    guide = client.get(f"{API}/{item.implementation_code}").json()

    assert (guide["version"], guide["hours"]) == (2, "全天")


def test_an_unknown_item_is_404_in_the_platform_error_shape(client):
    response = client.get(f"{API}/NO-SUCH-CODE")

    assert response.status_code == 404
    error = response.json()
    assert error["code"] == "not_found"
    assert error["message"] == "没有找到该事项的现行办事指南"
    assert error["message_en"]


def test_an_item_with_only_a_draft_is_404(client):
    from tongban.catalog.tests.factories import draft_item

    item = draft_item()

    assert client.get(f"{API}/{item.implementation_code}").status_code == 404


def test_reading_a_guide_takes_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    item = every_element_item()

    with django_assert_max_num_queries(8 + CALL_LOG_QUERIES):
        response = client.get(f"{API}/{item.implementation_code}")

    assert response.status_code == 200
