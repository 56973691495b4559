"""Cooperation in a real browser: an officer reads the card's agreements and records a follow-up;
a company manager enters a need, reads the matches with their reasons and takes one up; anyone
matches a need against the catalogue. Screenshots in tests/browser/artifacts/collaboration-*.png."""

import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "techvalley-demo")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))


def test_officer_reads_the_agreements_and_records_a_follow_up(page, live_server, demo):
    login(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/collaboration/agreements/")
    text = page.content()
    for title in (
        "사하구-부산보건대학교 협력체계 구축 협약",
        "사하구-동아대학교 SW중심대학 사업 협약",
        "사하구-동아대학교 상생발전을 위한 업무협약",
        "신평·장림산단 환경개선 및 창업기업 활성화를 위한 업무 협약",
    ):
        assert title in text
    assert "기한이 지난 후속 조치" in text
    shot(page, "collaboration-agreements")
    page.click("text=신평·장림산단 환경개선 및 창업기업 활성화를 위한 업무 협약")
    page.wait_for_url(re.compile(r"/collaboration/agreements/\d+/"))
    for party in ("부산광역시 사하구", "한국산업단지공단 부산지역본부", "(주)포유산업", "SK에코플랜트"):
        assert party in page.content()
    page.fill("input[name=action]", "지식산업센터 입주기업 간담회 (3차)")
    page.fill("input[name=owner]", "전략사업과 스마트산업담당")
    page.fill("input[name=due_on]", "2027-03-31")
    with page.expect_navigation():
        page.click("#follow-up-add button")
    assert "지식산업센터 입주기업 간담회 (3차)" in page.content()
    row = page.locator("tr", has_text="지식산업센터 입주기업 간담회 (3차)")
    row.locator("select[name=status]").select_option("done")
    with page.expect_navigation():
        row.locator("button").click()
    assert "완료" in page.locator("tr", has_text="지식산업센터 입주기업 간담회 (3차)").inner_text()
    shot(page, "collaboration-agreement-follow-ups")
    page.goto(f"{live_server.url}/collaboration/programmes/")
    assert "고등직업교육거점지구사업" in page.content() and "SW중심대학 사업" in page.content()
    page.click("text=고등직업교육거점지구사업")
    assert "재원별 예산" in page.content() and "국비" in page.content()
    shot(page, "collaboration-programme")
    assert page.external_requests == []


def test_company_enters_a_need_and_takes_up_a_match(page, live_server, demo):
    login(page, live_server.url, "company-manager")
    page.goto(f"{live_server.url}/collaboration/company/")
    page.wait_for_url(re.compile(r"/collaboration/company/\d+/"))
    assert "추천 지원사업" in page.content()
    shot(page, "collaboration-company-recommendations")
    page.click("text=수요 입력")
    page.select_option("select[name=kind]", "technology")
    page.fill("input[name=title]", "도금 폐수 중금속 저감")
    page.fill("textarea[name=text]", "도금 공정 폐수의 6가 크롬과 중금속 농도를 낮추고 싶습니다.")
    page.click("main form button")
    page.wait_for_url(re.compile(r"/collaboration/needs/\d+/"))
    content = page.content()
    assert "수처리연구실" in content and "일치:" in content
    shot(page, "collaboration-need-matches")
    with page.expect_navigation():
        page.locator("li", has_text="수처리연구실").locator("button", has_text="연계하기").first.click()
    assert "매칭에서 성과까지" in page.content()
    assert page.locator("#pipeline tr", has_text="수처리연구실").count() == 1
    shot(page, "collaboration-pipeline")


def test_anyone_matches_a_need_and_sees_refusals_apart(page, live_server, demo):
    page.goto(f"{live_server.url}/collaboration/match/")
    page.fill("textarea[name=text]", "도금 공정개선과 6가 크롬 저감 설비")
    page.fill("input[name=ksic]", "25922")
    page.fill("input[name=employees]", "62")
    page.fill("input[name=region]", "부산 사하구")
    with page.expect_navigation():
        page.click("main form button")
    content = page.content()
    assert "관련 있지만 신청할 수 없는 사업" in content
    assert "종업원 49명 이하 대상, 귀사 62명" in content
    shot(page, "collaboration-match")
    page.goto(f"{live_server.url}/collaboration/catalogue/")
    assert "예시" in page.content()
    shot(page, "collaboration-catalogue")
    assert page.external_requests == []


def test_officer_records_a_programme_budget_kpi_and_partner(page, live_server, demo):
    login(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/collaboration/programmes/")
    with page.expect_navigation():
        page.click("text=새 공동사업")
    page.fill("input[name=title]", "부산 스마트 제조 인력양성 사업")
    page.fill("input[name=funder]", "부산광역시")
    page.fill("input[name=starts_on]", "2026-03-01")
    page.fill("input[name=ends_on]", "2025-12-31")
    with page.expect_navigation():
        page.click("main form button")
    assert "사업 종료일이 시작일보다 앞섭니다" in page.content()  # the service's message, on the form
    page.fill("input[name=ends_on]", "2028-02-29")
    with page.expect_navigation():
        page.click("main form button")
    page.wait_for_url(re.compile(r"/collaboration/programmes/\d+/"))
    page.click("#budget summary")
    page.select_option("#budget-add select[name=source]", "city")
    page.fill("#budget-add input[name=year]", "2026")
    page.fill("#budget-add input[name=amount_krw]", "3억 5천만")
    page.fill("#budget-add input[name=executed_krw]", "1억")
    with page.expect_navigation():
        page.click("#budget-add button")
    assert "350,000,000" in page.locator("#budget").inner_text()
    page.click("#kpis summary")
    page.fill("#kpi-add input[name=name]", "재직자 교육 이수")
    page.fill("#kpi-add input[name=unit]", "명")
    page.fill("#kpi-add input[name=target]", "200")
    page.fill("#kpi-add input[name=result]", "50")
    with page.expect_navigation():
        page.click("#kpi-add button")
    row = page.locator("#kpis tr", has_text="재직자 교육 이수").inner_text()
    assert "200" in row and "50" in row and "25" in row
    page.click("text=참여 기관 추가")
    page.fill("#participant-add input[name=name]", "동아대학교")
    with page.expect_navigation():
        page.click("#participant-add button")
    assert "동아대학교" in page.locator("#participants").inner_text()
    shot(page, "collaboration-programme-edit")
    assert page.external_requests == []


def test_officer_previews_and_imports_an_expertise_file(page, live_server, demo, tmp_path):
    sheet = tmp_path / "부산보건대_연구자.csv"
    sheet.write_bytes(
        "식별자,기관,소속,분야,설명\n"
        "BSH-91,부산보건대학교,산학협력단 분석실,수질 분석; 중금속,도금 폐수 중금속 성분 분석 지원\n".encode("cp949")
    )
    login(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/collaboration/expertise/")
    with page.expect_navigation():
        page.click("text=전문가 정보 가져오기")
    page.set_input_files("#import-upload input[type=file]", str(sheet))
    with page.expect_navigation():
        page.click("#import-upload button")
    preview = page.locator("#import-preview").inner_text()
    assert "미리보기" in preview and "BSH-91" in preview and "산학협력단 분석실" in preview
    shot(page, "collaboration-expertise-import-preview")
    with page.expect_navigation():
        page.click("#import-confirm button:not([name=cancel])")
    assert "새로 1건" in page.locator("#import-done").inner_text()
    page.goto(f"{live_server.url}/collaboration/expertise/?q=분석실")
    assert "산학협력단 분석실" in page.content()
    assert page.external_requests == []
