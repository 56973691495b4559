import re

import pytest

from tests.browser.conftest import shot
from tests.browser.test_smoke import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_vacancies_self_check_and_inquiry(page, live_server, demo):
    page.goto(live_server.url + "/tenancy/")
    assert "서부산 SK V1" in page.content()
    page.click("text=서부산 SK V1")
    page.wait_for_url(re.compile(r"/tenancy/centres/sk-v1/"))
    assert page.locator("#vacancies tbody tr").count() >= 1
    assert "(예시) 직장어린이집" not in page.content()  # tenants are internal
    shot(page, "tenancy-vacancies")
    page.click("text=/입주 자격 자가진단|Eligibility self-check/")
    page.wait_for_url(re.compile(r"/tenancy/self-check/"))
    page.fill("input[name=ksic]", "62010")
    page.fill("input[name=area_m2]", "120")
    page.select_option("select[name=centre]", "sk-v1")
    page.click("#self-check button")
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-verdict") == "eligible"
    assert "시행령 제6조 제3항 제1호" in page.content()
    shot(page, "tenancy-self-check")
    page.goto(live_server.url + "/tenancy/inquiry/?c=promo-2023")
    assert "거부할 권리" in page.content()
    page.fill("input[name=company_name]", "브라우저 테스트 기업")
    page.fill("input[name=contact_name]", "홍길동")
    page.fill("input[name=phone]", "010-1234-5678")
    page.click("#inquiry button")
    assert "/inquiry/thanks/" not in page.url  # consent is required
    page.check("input[name=consent]")
    page.click("#inquiry button")
    page.wait_for_url(re.compile(r"/tenancy/inquiry/thanks/"))
    assert page.external_requests == []


def test_officer_funnel_and_audit(page, live_server, demo):
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/tenancy/manage/funnel/")
    assert page.locator("#funnel tbody tr").count() == 6
    assert "(예시) 다올물류" in page.locator("#stale").inner_text()
    shot(page, "tenancy-funnel")
    page.click("#stale >> text=(예시) 다올물류")
    page.wait_for_url(re.compile(r"/tenancy/manage/leads/\d+/"))
    page.fill("#stage-form input[name=note]", "현장 방문 예정")
    page.select_option("#stage-form select[name=stage]", "visit")
    page.click("#stage-form button")
    page.wait_for_url(re.compile(r"/tenancy/manage/leads/\d+/"))
    assert "현장 방문 예정" in page.content()
    page.goto(live_server.url + "/tenancy/manage/audit/")
    assert "(예시) 유흥주점" in page.locator("#audit").inner_text()
    shot(page, "tenancy-audit")


def test_company_member_sees_own_lease_and_no_one_elses(page, live_server, demo):
    """The demo company (company-member's) rents a unit: its home shows it, its lease page gives
    unit, term, area and rent; another company's manager is refused that page."""
    login(page, live_server.url, "company-member")
    page.wait_for_url(re.compile(r"/dashboard/"))
    panel = page.locator("text=/우리 회사의 지식산업센터 호실|Our units in knowledge-industry centres/")
    assert panel.count() >= 1
    page.click("a[href*='/tenancy/companies/']")
    page.wait_for_url(re.compile(r"/tenancy/companies/\d+/leases/"))
    leases_url = page.url
    row = page.locator("table.leases tbody tr").first.inner_text()
    assert "펜타플렉스" in row and "기한 없음" in row
    assert re.search(r"\t\d+\.\d\t", row)  # the unit's area
    assert re.search(r"\d{1,3}(,\d{3})+$", row.strip())  # the recorded monthly rent
    shot(page, "tenancy-own-leases")
    assert page.external_requests == []
    page.context.clear_cookies()
    login(page, live_server.url, "other-company")
    page.wait_for_url(re.compile(r"/dashboard/"))
    assert page.locator("a[href*='/tenancy/companies/']").count() == 0
    response = page.goto(leases_url)
    assert response.status == 403
