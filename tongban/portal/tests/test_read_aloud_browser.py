"""Read-aloud (朗读) and 帮办代办 booking in Chromium.

Headless Chromium has no Chinese voice (the tests make sure of it): the control asks the
platform for audio and plays it. With a fake ``speechSynthesis`` holding a zh-CN voice, the
control speaks with it instead. Guide and case-status pages carry the control; the booking
pages pass axe-core in normal and elderly mode.
"""

import shutil

import pytest
from django.core.cache import cache

from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.org.tests.factories import TownCenterFactory
from tongban.portal import assist
from tongban.portal.models import AssistBooking
from tongban.tests.browser import (
    axe_violations,
    describe,
    elder_mode,
    record_offsite,
    screenshot,
    sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]
BUTTON = "[data-read-aloud] button"
STATUS = "[data-read-aloud] [role=status]"

# No voice at all: what headless Chromium has, made certain.
NO_VOICES = """
(() => {
  if (window.speechSynthesis) {
    window.speechSynthesis.getVoices = () => [];
  }
})();
"""
# A browser with a Chinese voice: speak() records what it is given and ends at once.
FAKE_VOICE = """
(() => {
  window.__spoken = [];
  const voice = {lang: 'zh-CN', name: '测试普通话', localService: true, default: true};
  class FakeUtterance {
    constructor(text) { this.text = text; this.lang = ''; this.rate = 1; this.voice = null; }
  }
  const listeners = {};
  const fake = {
    getVoices: () => [voice],
    speak(utterance) {
      window.__spoken.push({text: utterance.text, lang: utterance.lang, rate: utterance.rate});
      setTimeout(() => utterance.onend && utterance.onend({}), 5);
    },
    cancel() {},
    addEventListener(name, f) { listeners[name] = f; },
    removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: fake, configurable: true});
  Object.defineProperty(
    window, 'SpeechSynthesisUtterance', {value: FakeUtterance, configurable: true});
})();
"""
AUDIO_LOADED = """() => {
  const state = window.tongbanReadAloud;
  return state && state.mode === 'audio' && state.audio && state.audio.src
    && state.audio.duration > 0;
}"""


@pytest.fixture(autouse=True)
def speech_files(settings, tmp_path):
    settings.PORTAL_SPEECH_CACHE_DIR = tmp_path / "speech"
    cache.clear()
    yield
    cache.clear()


def guide_url(live_server) -> tuple[str, str]:
    item = form_item()
    return f"{live_server.url}/items/{item.implementation_code}/", item.current_guide.name


def test_guide_is_read_by_platform_audio_without_a_chinese_voice(page, live_server):
    page.add_init_script(NO_VOICES)
    url, name = guide_url(live_server)
    offsite = record_offsite(page, live_server.url)
    asked = []
    page.on("request", lambda r: asked.append(r.post_data) if r.url.endswith("/speech/") else 0)
    page.goto(url)
    page.click(BUTTON)
    page.wait_for_function(AUDIO_LOADED, timeout=15000)
    assert page.locator(BUTTON).get_attribute("aria-pressed") == "true"
    assert page.locator(BUTTON).inner_text().strip() == "停止"
    assert "正在朗读" in page.locator(STATUS).inner_text()
    screenshot(page, "read-aloud")
    assert name in asked[0]  # the guide's own text went to the platform
    assert "朗读本页" not in asked[0]  # not the control's ([data-no-read])
    page.click(BUTTON)
    assert page.evaluate("window.tongbanReadAloud.audio.paused")
    assert page.locator(STATUS).inner_text() == "已停止朗读"
    assert page.locator(BUTTON).inner_text().strip() == "朗读本页"
    assert offsite == []


def test_guide_is_spoken_by_the_browsers_chinese_voice(page, live_server):
    page.add_init_script(FAKE_VOICE)
    url, name = guide_url(live_server)
    speech_requests = []
    page.on("request", lambda r: speech_requests.append(r) if r.url.endswith("/speech/") else 0)
    page.goto(url)
    page.click(BUTTON)
    page.wait_for_function(
        "() => document.querySelector('[data-read-aloud] [role=status]').textContent === '朗读结束'"
    )
    spoken = page.evaluate("window.__spoken")
    assert name in " ".join(part["text"] for part in spoken)
    assert {part["lang"] for part in spoken} == {"zh-CN"}
    assert spoken[0]["rate"] == 0.95
    assert page.evaluate("window.tongbanReadAloud.mode") == "voice"
    assert speech_requests == []  # nothing asked of the platform


def test_elderly_mode_speaks_slower(page, live_server):
    elder_mode(page.context, live_server.url)
    page.add_init_script(FAKE_VOICE)
    url, _name = guide_url(live_server)
    page.goto(url)
    page.click(BUTTON)
    page.wait_for_function("() => window.__spoken.length > 0")
    assert page.evaluate("window.__spoken[0].rate") == 0.8


def _sign_in(page, live_server, user) -> None:
    sign_in(page.context, live_server.url, user)


def test_case_status_page_is_read_aloud(page, live_server, notice_templates):
    page.add_init_script(NO_VOICES)
    person = applicant_person()
    case = file_case(form_item(), person)
    _sign_in(page, live_server, person)
    asked = []
    page.on("request", lambda r: asked.append(r.post_data) if r.url.endswith("/speech/") else 0)
    page.goto(f"{live_server.url}/my/cases/{case.number}/")
    page.click(BUTTON)
    page.wait_for_function(AUDIO_LOADED, timeout=15000)
    assert case.number in asked[0] and case.get_status_display() in asked[0]


def test_tracking_result_is_spoken(page, live_server, notice_templates):
    page.add_init_script(FAKE_VOICE)
    case = file_case(form_item(), applicant_person(phone="13800002222"))
    page.goto(f"{live_server.url}/track/")
    page.fill("input[name=number]", case.number)
    page.fill("input[name=secret]", "13800002222")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector(BUTTON)
    page.click(BUTTON)
    page.wait_for_function("() => window.__spoken.length > 0")
    text = " ".join(part["text"] for part in page.evaluate("window.__spoken"))
    assert case.number in text and "办件查询" not in text  # the result, not the form


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_guide_with_the_control_and_booking_pages_pass_axe(page, live_server, mode):
    if mode == "elder":
        elder_mode(page.context, live_server.url)
    url, _name = guide_url(live_server)
    page.goto(url)
    page.wait_for_selector(BUTTON)  # shown by the script
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    TownCenterFactory(name="哑柏镇便民服务中心")
    page.goto(f"{live_server.url}/assist/")
    violations = axe_violations(page)
    assert violations == [], "form: " + describe(violations)
    page.click(".assist-form button[type=submit]")  # nothing filled: the errors beside the fields
    assert page.locator("#errors").is_visible()
    violations = axe_violations(page)
    assert violations == [], "errors: " + describe(violations)
    if mode == "elder":
        screenshot(page, "elder-assist-form", full_page=True)


def test_a_person_books_help_without_an_account(page, live_server):
    elder_mode(page.context, live_server.url)
    TownCenterFactory(name="哑柏镇便民服务中心")
    day = assist.open_days()[0]
    page.goto(f"{live_server.url}/assist/")
    page.check("input[name=kind][value=proxy]")
    page.select_option("#a-center", label="哑柏镇便民服务中心")
    page.select_option("#a-date", value=day.isoformat())
    page.check("input[name=slot][value=pm]")
    page.fill("#a-item_text", "养老金资格认证")
    page.fill("#a-name", "王秀兰")
    page.fill("#a-phone", "13912345678")
    page.click(".assist-form button[type=submit]")
    page.wait_for_selector("#assist-booking")
    booking = AssistBooking.objects.get()
    assert booking.kind == "proxy" and booking.slot == "pm" and booking.date == day
    assert booking.number in page.locator("h2").first.inner_text()
    screenshot(page, "elder-assist-booking")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
