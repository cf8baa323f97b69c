"""Fixtures shared by every app's tests."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test around it are still synchronous, so Django's async guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone: 375 × 812 CSS pixels, touch, mobile viewport rules."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def touch_page(browser):
    """A self-service kiosk's touch screen (portrait 1080 × 1920 at half scale)."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def notice_templates(db):
    """The notify templates the data migrations create, put back.

    A transactional test (``live_server``) ends with a flush that empties every table, the
    migrated templates included; a later one that sends notices needs them again. Each
    template migration keeps its rows in ``TEMPLATES`` and an idempotent ``add``.
    """
    from importlib import import_module
    from pathlib import Path

    from django.apps import apps

    root = Path(__file__).resolve().parent
    for path in sorted(root.glob("tongban/*/migrations/0*.py")):
        module = import_module(".".join(path.relative_to(root).with_suffix("").parts))
        if hasattr(module, "TEMPLATES") and hasattr(module, "add"):
            module.add(apps, None)
