import re

import pytest

from tests.browser.conftest import shot
from tests.browser.test_smoke import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_company_sees_own_energy_and_officer_the_complex(page, live_server, demo):
    login(page, live_server.url, "company-manager")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/green/")
    page.wait_for_url(re.compile(r"/green/company/\d+/"))
    assert page.locator("svg.chart rect").count() >= 1 and "kr-2023" in page.content()
    page.select_option("select[name=factors]", "kr-2014-2016")
    page.click("text=/표시|Show/")
    page.wait_for_url(re.compile(r"factors=kr-2014-2016"))
    assert "0.4594" in page.content()
    shot(page, "energy-company")
    page.context.clear_cookies()
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/green/")
    page.wait_for_url(re.compile(r"/green/complex/"))
    assert "tCO2eq" in page.content() and page.locator("table tbody tr").count() > 3
    shot(page, "energy-complex")
