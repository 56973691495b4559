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
    page.click("text=/^(보기|Show)$/")
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


def test_manager_records_a_measure_and_others_see_no_energy_entry(page, live_server, demo):
    login(page, live_server.url, "company-manager")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/green/")
    page.wait_for_url(re.compile(r"/green/company/\d+/"))
    page.click("text=감축 조치 추가")
    page.wait_for_url(re.compile(r"/measures/new/"))
    page.select_option("select[name=kind]", "heat_recovery")
    page.fill("input[name=description]", "열회수 환기장치 (브라우저 시험)")
    page.fill("input[name=cost_krw]", "12000000")
    page.fill("input[name=expected_kwh_per_year]", "9000")
    page.click("button:has-text('저장')")
    page.wait_for_url(re.compile(r"/green/company/\d+/#measures"))
    assert "열회수 환기장치 (브라우저 시험)" in page.content()
    shot(page, "energy-measure-added")
    page.context.clear_cookies()
    login(page, live_server.url, "university")
    page.wait_for_url(re.compile(r"/dashboard/"))
    assert page.locator("nav a[href='/green/']").count() == 0
