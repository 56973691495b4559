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


def test_card_import_publish_evidence_and_links(page, live_server, demo, settings, tmp_path):
    """A CP949 card imported on the web starts internal; the officer publishes it, drafts a
    report with an HTML file as evidence (served only as a download) and links an achievement."""
    from techvalley.projects.demo import data_file

    settings.MEDIA_ROOT = tmp_path / "media"
    seed = data_file("cards/saha-3-1.txt").read_text(encoding="utf-8")
    card = seed.replace("\n3-1\n", "\n7-7\n", 1).replace("「낙동강 테크노밸리」 조성", "시험 공약 조성", 1)
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(live_server.url + "/plan/import/")
    page.set_input_files(
        "input[name=file]", {"name": "7-7.txt", "mimeType": "text/plain", "buffer": card.encode("cp949")}
    )
    page.click("form.panel button")
    page.wait_for_load_state()
    if "/card/" not in page.url:  # lines it could not place are listed first, with the card's link
        page.click("section.panel a[href*='/card/']")
    page.wait_for_url(re.compile(r"/plan/\d+/card/$"))
    assert "내부용" in page.locator("#publication").inner_text()
    page.click("#publish")
    page.wait_for_load_state()
    assert page.locator("#publication").inner_text() == "공개"
    card_url = page.url

    # an achievement linked to the demo pledge 3-1
    links = page.locator("#achievement-links details.link-form").first
    links.locator("summary").click()
    links.locator("select[name=type]").select_option("projects.project")  # other apps add their kinds
    option = links.locator("select[name=target] option", has_text="3-1").first
    option.wait_for(state="attached")  # the candidates arrive by HTMX
    links.locator("select[name=target]").select_option(value=option.get_attribute("value"))
    links.locator("button", has_text="연결").click()
    page.wait_for_url(card_url)
    assert page.locator("#achievement-links .record-links a", has_text="3-1").count() == 1
    shot(page, "plan-card-links")

    page.goto(card_url.replace("/card/", "/reports/new/"))
    page.fill("input[name=percent]", "45")
    page.click("form button >> nth=-1")
    page.wait_for_url(re.compile(r"/plan/reports/\d+/$"))
    page.set_input_files(
        "input[name=file]", {"name": "page.html", "mimeType": "text/html", "buffer": b"<script>alert(1)</script>"}
    )
    page.click("text=증빙 첨부")
    page.wait_for_load_state()
    href = page.locator("a[href*='/plan/evidence/']").first.get_attribute("href")
    download = page.request.get(live_server.url + href)
    assert download.ok and download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment")
    shot(page, "plan-report-evidence")


def test_officer_keeps_the_cards_own_communication_figures(page, live_server, demo):
    """The card's 구민소통 counted from the communication records, then the card's own figures kept
    by the officer — each time the card says which it shows."""
    from django.apps import apps

    pledge = apps.get_model("projects", "Project").objects.get(management_no="3-1")
    login(page, live_server.url, "officer")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(f"{live_server.url}/plan/{pledge.pk}/card/")
    assert "구민소통 기록에서 집계" in page.locator("#communication-shown").inner_text()
    assert "출처: 구청의 구민소통 기록" in page.locator("#communication-source").inner_text()
    shot(page, "plan-communication-records")
    page.select_option("#communication-panel select[name=source]", "card")
    with page.expect_navigation():
        page.click("#communication-source-save")
    assert "담당자가 구민소통 기록 대신 유지" in page.locator("#communication-source").inner_text()
    assert "1회" in page.locator(".mcard-comm").inner_text()  # the card's own: 기타 1회
    shot(page, "plan-communication-kept")
