"""The portal against WCAG 2.1 AA, checked with axe-core in Chromium.

Every page a citizen (or a supervisor, for the dashboard) uses is opened in normal and in
elderly mode, and axe-core (vendored, injected from the file) must find no violation of
serious or critical impact. Each test builds only the rows its page needs, so the whole
sweep stays well under a minute. See docs/accessibility.md.

    .venv/bin/pytest -m browser tongban/portal/tests/test_accessibility.py
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.catalog.tests.test_pages import every_element_item
from tongban.licenses.tests.factories import LicenseFactory
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role
from tongban.tests.browser import axe_violations, describe, elder_mode, screenshot, sign_in

PHONE = "13800001111"


@dataclass
class Visit:
    """Where the browser stands before axe runs, and who it is signed in as."""

    path: str
    user: object = None
    staff: bool = False
    then: Callable | None = None  # what the browser does on the page first (fill a form)
    ready: str = "main"  # a selector that is there once the page has drawn


def _home():
    every_element_item()
    return Visit("/")


def _search():
    every_element_item()
    return Visit("/search?q=食品经营")


def _guide():
    item = every_element_item()
    return Visit(f"/items/{item.implementation_code}/")


def _apply():
    item = form_item()
    return Visit(f"/items/{item.implementation_code}/apply/", user=applicant_person())


def _track():
    item = form_item()
    case = file_case(item, applicant_person(phone=PHONE))

    def ask(page):
        page.locator("input[name=number]").fill(case.number)
        page.locator("input[name=secret]").fill(PHONE)
        page.locator("form button[type=submit], form input[type=submit]").last.click()
        page.wait_for_load_state()

    return Visit("/track/", then=ask)


def _my_case():
    item = form_item()
    person = applicant_person()
    case = file_case(item, person)
    return Visit(f"/my/cases/{case.number}/", user=person)


def _wallet():
    person = applicant_person()
    LicenseFactory(holder_user=person)
    return Visit("/my/licenses/", user=person)


def _space():
    person = applicant_person()
    file_case(form_item(), person)
    LicenseFactory(holder_user=person)
    return Visit("/my/space/", user=person)


def _dashboard():
    from tongban.metrics.tests.test_indicators import make_world

    make_world()
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    return Visit("/metrics/", user=supervisor, staff=True, ready="#metrics-bar canvas")


PAGES = {
    "home": _home,
    "search": _search,
    "guide": _guide,
    "apply": _apply,
    "track": _track,
    "my_case": _my_case,
    "wallet": _wallet,
    "space": _space,
    "dashboard": _dashboard,
}
SCREENSHOTS = {"guide", "search", "dashboard"}

# Text runs of three or more Latin words inside a Chinese-language element: each such run
# needs its own lang attribute (WCAG 3.1.2, language of parts), so screen readers switch voice.
UNMARKED_ENGLISH = """() => {
  const found = [];
  const words = /[A-Za-z]{2,}(?:[\\s,.'\\u2019-]+[A-Za-z]{2,}){2,}/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest('script, style, noscript, [aria-hidden="true"]')) continue;
    const run = walker.currentNode.textContent.match(words);
    if (!run) continue;
    const marked = element.closest('[lang]') || document.documentElement;
    if ((marked.getAttribute('lang') || '').toLowerCase().startsWith('zh')) found.push(run[0]);
  }
  return found;
}"""

# Headings in order (WCAG 1.3.1, 2.4.6): one h1, and no level skipped on the way down.
HEADING_JUMPS = """() => {
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.getClientRects().length > 0)
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 30)]);
  const problems = [];
  if (levels.filter(([level]) => level === 1).length !== 1) problems.push('h1 count');
  levels.forEach(([level, text], i) => {
    if (i > 0 && level > levels[i - 1][0] + 1) problems.push(`h${level} ${text}`);
  });
  return problems;
}"""


def open_page(page, live_server, name: str, *, elder: bool) -> None:
    visit = PAGES[name]()
    if elder:
        elder_mode(page.context, live_server.url)
    if visit.user is not None:
        sign_in(page.context, live_server.url, visit.user, staff=visit.staff)
    response = page.goto(live_server.url + visit.path)
    assert response.status == 200, f"{visit.path}: {response.status}"
    if visit.then:
        visit.then(page)
    page.wait_for_selector(visit.ready)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["normal", "elder"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_violations(page, live_server, notice_templates, name, mode):
    open_page(page, live_server, name, elder=mode == "elder")
    if mode == "elder":
        assert "elder" in page.evaluate("document.documentElement.className")
    elif name in SCREENSHOTS:
        screenshot(page, name)

    violations = axe_violations(page)

    assert violations == [], f"{name} ({mode}):\n" + describe(violations)
    assert page.evaluate(HEADING_JUMPS) == [], f"{name} ({mode}): headings out of order"
    assert page.evaluate(UNMARKED_ENGLISH) == [], f'{name}: English text without lang="en"'


FOCUS_RING = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.getAttribute('aria-label') || element.name || '').trim(),
    visible: outline || style.boxShadow !== 'none',
    inMain: Boolean(element.closest('main')),
  };
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_the_keyboard_skips_to_the_guide_with_a_visible_focus(page, live_server, mode):
    open_page(page, live_server, "guide", elder=mode == "elder")

    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_RING)
    assert first["text"] == "跳到主要内容" and first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    rings = []
    for _ in range(12):
        page.keyboard.press("Tab")
        rings.append(page.evaluate(FOCUS_RING))
    assert all(ring["visible"] for ring in rings), [r for r in rings if not r["visible"]]
    assert rings[0]["inMain"], rings[0]  # the skip link moved the keyboard past the header
