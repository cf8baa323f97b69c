"""Chinese by default, English on request; the committed English catalogue is complete.

Source strings are Chinese. `make messages` regenerates tongban/locale/en/LC_MESSAGES/django.po
and compiles django.mo; the catalogue tests below then name any string left untranslated.
"""

import ast
import gettext
import re

import pytest
from django.conf import settings

EN_DIR = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES"
NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")

HEADING_ZH = "一网通办 · 只进一扇门 · 最多跑一次"
HEADING_EN = "One-stop online service · One door · At most one visit"
NAV_ZH = ["首页", "办事指南", "个人办事", "法人办事", "行政许可清单", "工作人员入口"]
NAV_EN = [
    "Home",
    "Service guide",
    "Personal services",
    "Business services",
    "Administrative licensing list",
    "Staff login",
]


def read_po(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr, flags."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            target = entry["msgstr"] if field[0] == "msgstr" else entry
            target[field[1]] += ast.literal_eval(line)
        else:
            keyword, value = line.split(" ", 1)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                field = ("msgstr", index)
                entry["msgstr"][index] = ast.literal_eval(value)
            else:
                field = ("entry", keyword)
                entry[keyword] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


@pytest.fixture(scope="module")
def po_entries():
    return read_po(EN_DIR / "django.po")


def page_text(response):
    html = response.content.decode()
    return html, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_home_page_is_chinese_by_default(client):
    html, text = page_text(client.get("/"))

    assert '<html lang="zh-CN">' in html
    assert HEADING_ZH in text
    for label in NAV_ZH:
        assert f">{label}</a>" in html
    assert HEADING_EN not in text


@pytest.mark.django_db
def test_home_page_is_english_for_an_english_browser(client):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    html, text = page_text(response)

    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert f">{HEADING_EN}</h1>" in html
    for label in NAV_EN:
        assert f">{label}</a>" in html
    assert HEADING_ZH not in text
    assert "Skip to main content" in text


@pytest.mark.django_db
def test_language_switch_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html, _ = page_text(client.get("/"))
    assert f">{HEADING_EN}</h1>" in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html, _ = page_text(client.get("/"))
    assert f">{HEADING_ZH}</h1>" in html


def test_every_string_has_an_english_translation(po_entries):
    assert len(po_entries) > 100
    untranslated = [e["msgid"] for e in po_entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"run `make messages` and translate: {untranslated}"
    assert not fuzzy, f"check these translations and remove the fuzzy flag: {fuzzy}"


def test_translations_keep_the_placeholders(po_entries):
    wrong = []
    for e in po_entries:
        expected = set(NAMED_PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))
        for msgstr in e["msgstr"].values():
            if set(NAMED_PLACEHOLDER.findall(msgstr)) != expected:
                wrong.append((e["msgid"], msgstr))
    assert not wrong


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """django.mo is committed (a machine without gettext serves it): it must not be stale."""
    with (EN_DIR / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = []
    for e in po_entries:
        context = e.get("msgctxt")
        if "msgid_plural" in e:
            args = (e["msgid"], e["msgid_plural"])
            got = [
                catalogue.npgettext(context, *args, n) if context else catalogue.ngettext(*args, n)
                for n in (1, 2)
            ]
            want = [e["msgstr"][0], e["msgstr"][1]]
        else:
            msgid = e["msgid"]
            got = [catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)]
            want = [e["msgstr"][0]]
        if got != want:
            stale.append(e["msgid"])
    assert not stale, f"run `make messages` (compilemessages) again: {stale}"


@pytest.mark.django_db
def test_hot_item_links_search_in_chinese_whatever_the_page_language(client):
    """The index holds Chinese and pinyin: an English query would find nothing."""
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in html  # 营业执照
