"""Helpers for browser tests: axe-core checks, elderly mode, and off-site request recording.

axe-core is the npm package's ``axe.min.js`` (vendor/axe-core, MPL-2.0), injected from the
file at test time: no page loads it, and nothing comes from the network.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = frozenset({"serious", "critical"})
ELDER_COOKIE = "tb_elder"


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """The page's WCAG 2.1 A/AA violations of the given impacts (serious and critical)."""
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's
    # Content-Security-Policy (script-src 'self') blocks injected inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """A readable summary for an assertion message: rule, impact and the first targets."""
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} → {targets}")
    return "\n".join(lines)


def elder_mode(context, base_url: str) -> None:
    """Switch a browser context into elderly mode (the cookie the mode switch sets)."""
    context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": base_url}])


def record_offsite(page, base_url: str) -> list[str]:
    """Every request the page makes outside ``base_url`` (data: and blob: are local)."""
    offsite: list[str] = []

    def seen(request):
        url = request.url
        if not (url.startswith(base_url) or url.startswith(("data:", "blob:"))):
            offsite.append(url)

    page.on("request", seen)
    return offsite


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Save docs/screenshots/<name>.png when TONGBAN_SCREENSHOTS=1 (``make screenshots``).

    The documentation's pictures are taken by the browser tests themselves, so they show the
    pages as the tests left them; a normal test run writes nothing into the checkout.
    """
    import os

    if os.environ.get("TONGBAN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def sign_in(context, base_url: str, user, *, staff: bool = False) -> None:
    """Put a signed-in session of ``user`` into a browser context's cookies (staff: a session
    that has passed TOTP), as if they had signed in through the login page."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    if staff:
        from tongban.identity.tests.helpers import verified_login

        verified_login(client, user)
    else:
        client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
