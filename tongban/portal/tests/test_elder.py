"""Elderly mode (长辈版): a cookie the header's switch sets, that every page then honours."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def html_class(client, url: str) -> str:
    html = client.get(url).content.decode()
    tag = html[html.index("<html") : html.index(">", html.index("<html"))]
    return tag


def test_switching_on_persists_across_pages(client):
    assert "elder" not in html_class(client, "/")

    response = client.post("/mode/elder/", {"on": "1", "next": "/items/"})

    assert response.status_code == 302 and response["Location"] == "/items/"
    cookie = response.cookies["tb_elder"]
    assert cookie.value == "1" and cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    for url in ("/", "/items/", "/search?q=营业执照", "/bundles/", "/track/"):
        assert 'class="elder"' in html_class(client, url), url


def test_switching_off_works(client):
    client.post("/mode/elder/", {"on": "1", "next": "/"})

    response = client.post("/mode/elder/", {"on": "0", "next": "/items/"})

    assert response["Location"] == "/items/"
    assert response.cookies["tb_elder"].value == ""  # deleted
    assert "elder" not in html_class(client, "/items/")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http://evil.example", "javascript:alert(1)"],
)
def test_the_next_redirect_refuses_off_site_targets(client, target):
    response = client.post("/mode/elder/", {"on": "1", "next": target})

    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switch_is_a_post_only_form(client):
    assert client.get("/mode/elder/").status_code == 405


def test_the_switch_says_what_it_will_do(client):
    html = client.get("/items/?by=person").content.decode()
    assert 'aria-pressed="false"' in html and 'name="on" value="1"' in html
    # Back to the path: the query is not echoed (it may carry personal data, ?phone=…).
    assert 'name="next" value="/items/"' in html

    client.cookies["tb_elder"] = "1"
    html = client.get("/").content.decode()
    assert "退出长辈版" in html and 'aria-pressed="true"' in html and 'value="0"' in html


def test_elder_home_shows_four_big_tiles_instead_of_the_full_browse(client, settings):
    settings.TONGBAN_HOTLINE = "12345"
    client.cookies["tb_elder"] = "1"

    html = client.get("/").content.decode()

    tiles = html[html.index('class="elder-tiles"') : html.index("</ul>", html.index("elder-tiles"))]
    for label, href in (
        ("办事搜索", "/search"),
        ("我的办件", "/my/cases/"),
        ("帮办代办预约", "/assist/"),
        ("一键咨询", "tel:12345"),
    ):
        assert label in tiles and f'href="{href}"' in tiles, label
    assert "按部门办事" not in html and "四级政务服务网络" not in html


def test_elder_mode_puts_the_one_tap_call_in_the_header(client, settings):
    settings.TONGBAN_HOTLINE = "12345"
    normal = client.get("/items/").content.decode()
    client.cookies["tb_elder"] = "1"
    elder = client.get("/items/").content.decode()

    header = elder[: elder.index("</header>")]
    assert 'class="header-call" href="tel:12345"' in header
    assert "header-call" not in normal
