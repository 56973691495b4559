import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "techvalley-demo")
    page.click("button[type=submit]")


def test_officer_logs_in_and_works_through_dashboard_directory_and_company(page, live_server, demo):
    page.goto(live_server.url + "/")
    assert "신평·장림일반산업단지" in page.content()
    assert page.locator("svg circle").count() > 1000  # the map's company points
    shot(page, "home")

    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    figures = [t.split()[0].replace(",", "") for t in page.locator(".card .figure").all_inner_texts() if t.strip()]
    assert any(f.isdigit() for f in figures), figures
    shot(page, "dashboard")

    page.click("nav >> text=입주기업") if page.locator("nav >> text=입주기업").count() else page.click(
        "nav >> text=Companies"
    )
    page.fill("main input[name=q]", "도금")
    page.wait_for_function("document.querySelectorAll('#company-table tbody tr').length > 0")
    page.wait_for_timeout(600)  # htmx swaps the rows after the 300 ms pause
    rows = page.locator("#company-table tbody tr")
    assert rows.count() > 0 and "도금" in rows.first.inner_text()
    shot(page, "directory")

    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/registry/companies/\d+/"))
    assert "KSIC" in page.content()
    shot(page, "company")
    assert page.external_requests == []


def test_company_manager_sees_own_contacts_not_others(page, live_server, demo):
    from techvalley.registry.models import Company

    own, other = Company.objects.filter(organisation__isnull=False).order_by("registry_key")[:2]
    login(page, live_server.url, "company-manager")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(f"{live_server.url}/registry/companies/{own.pk}/")
    assert "051-200-1234" in page.content()
    page.goto(f"{live_server.url}/registry/companies/{other.pk}/")
    assert "051-201-1234" not in page.content() and "051-****-1234" in page.content()
    shot(page, "company-other-masked")


def test_language_switch(page, live_server, demo):
    page.goto(live_server.url + "/registry/structure/")
    page.click("button[name=language]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "structure-en")


def test_map_legend_matches_the_dots(page, live_server, demo):
    page.goto(live_server.url + "/")
    colours = page.evaluate(
        """() => {
          const out = {};
          for (const item of document.querySelectorAll('.legend-item')) {
            const key = item.dataset.key;
            const dot = document.querySelector(`svg circle.pt.${key}`);
            out[key] = {
              swatch: getComputedStyle(item.querySelector('.swatch')).backgroundColor,
              dot: dot ? getComputedStyle(dot).fill : null,
            };
          }
          return out;
        }"""
    )
    assert len(colours) >= 5
    shown = {k: v for k, v in colours.items() if v["dot"] is not None}
    assert len(shown) >= 3  # the demo's companies cover several technology levels
    assert all(v["swatch"] == v["dot"] for v in shown.values()), colours
    assert len({v["swatch"] for v in colours.values()}) == len(colours)  # one colour per level


@pytest.mark.parametrize("username", ["officer", "company-manager", "university", "visitor"])
def test_each_roles_home_is_composed_of_panels_with_sources(page, live_server, demo, username):
    login(page, live_server.url, username)
    page.wait_for_url(re.compile(r"/dashboard/"))
    panels = page.locator(".dash-panel")
    assert panels.count() >= 1
    for i in range(panels.count()):
        for card in panels.nth(i).locator(".figure-card").all():
            assert card.locator(".source").inner_text().strip(), card.inner_text()  # every figure says its source
    menu = [a.get_attribute("href") for a in page.locator("header nav a").all()]
    for href in menu:  # no menu entry leads to a 403
        response = page.request.get(live_server.url + href)
        assert response.status != 403, href
    shot(page, f"home-{username}")
    assert page.external_requests == []
