"""A real browser in the admin: a staff user finds a customer, changes a consent, sees it audited.

Drives Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it)
through Playwright. Skips, saying why, where either is missing.
"""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from audit.models import Action, AuditEvent, Source
from customers.models import Customer
from tests.factories import CustomerFactory

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: install Debian's chromium package (.ci/run does)"
)
PASSWORD = "staff-pass-123"


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own
    # database calls are synchronous all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The server's threads close their connections after each request, not
    # while Chromium holds a kept-alive socket open (the test database is
    # dropped at the end, and an open session would keep it).
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_consent_changed_in_the_admin_shows_in_the_audit_history(live_server, page, channel):
    staff = get_user_model().objects.create_superuser("staff", "staff@example.com", PASSWORD)
    customer = CustomerFactory(channel=channel, email="ayse.browser@example.com", sms_allowed=True)
    CustomerFactory(channel=channel, email="someone.else@example.com")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/customers/customer/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.fill("#searchbar", "ayse.browser@")
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    sync_api.expect(rows).to_have_count(1)
    rows.first.locator("a").first.click()

    sync_api.expect(page.locator("#id_email")).to_have_value("ayse.browser@example.com")
    page.uncheck("#id_sms_allowed")
    page.click("input[name=_continue]")  # "Save and continue editing": back on the same page
    sync_api.expect(page.locator(".messagelist .success")).to_be_visible()

    history = page.locator("table.audit-history")
    sync_api.expect(history).to_contain_text("sms_allowed: True → False")
    sync_api.expect(history.locator("tbody tr").first).to_contain_text("Admin")
    sync_api.expect(history.locator("tbody tr").first).to_contain_text("staff")
    assert Customer.objects.get(pk=customer.pk).sms_allowed is False
    event = AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE).get()
    assert (event.source, event.actor, event.changes) == (
        Source.ADMIN,
        staff,
        {"sms_allowed": [True, False]},
    )
