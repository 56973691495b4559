import re

import pytest

from tests.browser.conftest import shot
from tests.browser.test_smoke import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pledge_page_and_pdf(page, live_server, demo):
    page.goto(live_server.url + "/plan/")
    page.click("text=3-1 신평·장림산업단지")
    page.wait_for_url(re.compile(r"/plan/\d+/$"))
    html = page.content()
    assert "용역 계약심사" in html and "최재봉" not in html
    assert page.locator(".progress .planned").count() == 1
    shot(page, "pledge-public")
    pdf = page.request.get(live_server.url + page.locator("a.button", has_text="PDF").first.get_attribute("href"))
    assert pdf.ok and pdf.body()[:4] == b"%PDF"


def test_officer_dashboard_card_and_planner_approval(page, live_server, demo):
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/plan/dashboard/")
    assert "지연" in page.content() or "behind" in page.content()
    shot(page, "plan-dashboard")
    page.click("table >> text=신평·장림산업단지 「낙동강 테크노밸리」 조성")
    page.wait_for_url(re.compile(r"/plan/\d+/card/"))
    assert "최재봉" in page.content() and "공약가계부" in page.content()
    shot(page, "plan-card")

    page.context.clear_cookies()
    login(page, live_server.url, "planner")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/plan/reports/?state=submitted")
    page.click("tbody a >> nth=0")
    page.fill("textarea[name=comment]", "확인했습니다")
    page.click("#approve-report")
    page.wait_for_load_state()
    assert page.locator("#report-state").inner_text() in ("승인", "Approved")
    shot(page, "plan-report-approved")
