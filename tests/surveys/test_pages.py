"""Pages: the builder, the answer form from a link (no login), tracking, results with charts,
published results without identifying data, exports, the company's own surveys."""

import pytest
from django.test import Client

from techvalley.surveys import services
from techvalley.surveys.models import Response
from tests.surveys.conftest import VALID

pytestmark = pytest.mark.django_db


def client_for(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_answer_form_by_link_without_login(demand, world):
    inv = demand.invitations.get(company=world["a"])
    url = f"/surveys/r/{services.invitation_token(inv)}/"
    c = client_for()
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "주력 사업 분야는 무엇입니까?" in html and 'name="infrastructure_rating.parking"' in html
    assert 'id="q-training_topics" data-code="training_topics" hidden' in html  # condition not met yet
    assert "<script>alert(1)</script>" not in html  # company names are escaped
    post = {**VALID, "difficulties": ["energy_cost", "workforce"], "training_topics": ["automation"]}
    post.update({"support_priority.1": "energy", "support_priority.2": "training", "support_priority.3": "rnd"})
    post["infrastructure_rating.parking"] = "2"
    r = c.post(url, post)
    assert r.status_code == 302 and r["Location"].endswith("?saved=1")
    saved = Response.objects.get(company=world["a"])
    assert saved.answers["support_priority"] == ["energy", "training", "rnd"]
    assert saved.answers["infrastructure_rating"] == {"parking": "2"}
    # errors are shown beside their questions, nothing stored
    r = c.post(url, {**post, "employees": "많음"})
    assert r.status_code == 200 and "숫자가 아닙니다" in r.content.decode()
    assert Response.objects.get(company=world["a"]).answers["employees"] == 25
    assert c.get("/surveys/r/not-a-token/").status_code == 403


def test_company_member_finds_and_reads_own_answers_only(demand, world):
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    rb = services.submit_response(demand.invitations.get(company=world["b"]), VALID)
    member = client_for(world["users"]["member_a"])
    page = member.get("/surveys/")
    assert page.status_code == 200 and demand.title_ko in page.content.decode()
    go = member.get(f"/surveys/{demand.pk}/answer/")
    assert go.status_code == 302 and "/surveys/r/" in go["Location"]
    assert member.get(f"/surveys/responses/{rb.pk}/").status_code == 403
    assert member.get(f"/surveys/{demand.pk}/results/").status_code == 403


def test_officer_pages_and_exports(demand, world):
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    services.submit_response(
        demand.invitations.get(company=world["b"]), {**VALID, "difficulty_detail": "전기 요금이 부담"}
    )
    officer = client_for(world["users"]["officer"])
    for url in ("/surveys/", f"/surveys/{demand.pk}/", f"/surveys/{demand.pk}/tracking/", "/surveys/candidates/"):
        assert officer.get(url).status_code == 200, url
    results = officer.get(f"/surveys/{demand.pk}/results/?by=legal_dong").content.decode()
    assert "<svg" in results and "장림동" in results and "전기요금" in results
    assert officer.get(f"/surveys/{demand.pk}/results/?by=colour").status_code == 400
    csv_text = officer.get(f"/surveys/{demand.pk}/export.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("ref,company,submitted,main_business")
    xlsx = officer.get(f"/surveys/{demand.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client_for(world["users"]["other_officer"]).get(f"/surveys/{demand.pk}/").status_code == 403


def test_published_results_carry_no_identifying_data(demand, world):
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    c = client_for()
    assert c.get(f"/surveys/{demand.pk}/published/").status_code == 404
    services.publish_results(demand)
    html = c.get(f"/surveys/{demand.pk}/published/").content.decode()
    assert "에이금속" not in html and "전기요금 부담이 큽니다" not in html  # no names, no quotes
    assert (
        "장림동" not in c.get(f"/surveys/{demand.pk}/published/?by=legal_dong").content.decode()
    )  # one company: merged away


def test_import_page_reports_errors(demand, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = client_for(world["users"]["officer"])
    upload = SimpleUploadedFile("a.csv", "ref,employees\nX,many\n".encode("cp949"))
    html = officer.post(f"/surveys/{demand.pk}/import/", {"file": upload}).content.decode()
    assert "employees" in html and "숫자가 아닙니다" in html and not Response.objects.exists()


def test_officer_edits_settings_and_anonymity_freezes(demand, world):
    officer = client_for(world["users"]["officer"])
    r = officer.post(
        f"/surveys/{demand.pk}/edit/", {"title_ko": "수요조사 2023", "closes_on": "2099-01-31", "anonymous": "on"}
    )
    assert r.status_code == 302
    demand.refresh_from_db()
    assert demand.title_ko == "수요조사 2023" and demand.anonymous and str(demand.closes_on) == "2099-01-31"
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    html = officer.post(f"/surveys/{demand.pk}/edit/", {"title_ko": "수요조사 2023"}).content.decode()
    assert "익명 여부를 바꿀 수 없습니다" in html
    demand.refresh_from_db()
    assert demand.anonymous
    page = officer.post(
        f"/surveys/{demand.pk}/edit/",
        {"title_ko": "x", "opens_on": "2024-02-01", "closes_on": "2024-01-01", "anonymous": "on"},
    )
    assert "마감일이 시작일보다" in page.content.decode()


def test_list_pages_make_no_query_per_row(demand, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CompanyFactory

    officer = client_for(world["users"]["officer"])

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [f"/surveys/{demand.pk}/tracking/", "/surveys/", "/surveys/candidates/", f"/surveys/{demand.pk}/"]
    services.submit_response(demand.invitations.get(company=world["a"]), VALID)
    services.create_candidate(world["cx"], "후보", survey=demand)
    [count(u) for u in urls]  # warm the per-process caches (content types)
    before = [count(u) for u in urls]
    more = [CompanyFactory(complex=world["cx"]) for _ in range(30)]
    services.invite_companies(demand)
    for i, company in enumerate(more[:10]):
        services.submit_response(services.invitation_for(demand, company), VALID)
        services.create_candidate(world["cx"], f"후보 {i}", survey=demand)
        services.create_survey(world["cx"], f"extra-{i}")
    assert [count(u) for u in urls] == before


def test_answer_form_in_english(demand, world):
    c = client_for()
    c.cookies["django_language"] = "en"
    inv = demand.invitations.get(company=world["a"])
    html = c.get(f"/surveys/r/{services.invitation_token(inv)}/").content.decode()
    assert "What is your main line of business?" in html and "Metal working, surface treatment" in html
    assert "Send answers" in html


def test_sections_and_questions_from_the_builder(world):
    survey = services.create_survey(world["cx"], "built", template="blank")
    officer = client_for(world["users"]["officer"])
    assert officer.post(f"/surveys/{survey.pk}/sections/new/", {"title_ko": "2. 에너지"}).status_code == 302
    second = survey.sections.get(title_ko="2. 에너지")
    form = {
        "code": "energy_use",
        "type": "single",
        "label_ko": "에너지를 많이 씁니까?",
        "choices": "yes = 예 = Yes\nno = 아니오 = No",
        "section": second.pk,
        "required": "on",
    }
    assert officer.post(f"/surveys/{survey.pk}/questions/new/", form).status_code == 302
    follow = {
        "code": "energy_kind",
        "type": "multiple",
        "label_ko": "어떤 에너지?",
        "choices": "elec = 전기\ngas = 가스",
        "section": second.pk,
        "cond_question": "energy_use",
        "cond_op": "equals",
        "cond_value": "yes",
    }
    assert officer.post(f"/surveys/{survey.pk}/questions/new/", follow).status_code == 302
    q = survey.questions.get(code="energy_kind")
    assert q.section == second and q.condition == {"question": "energy_use", "op": "equals", "value": "yes"}
    assert q.choices == [{"value": "elec", "ko": "전기", "en": ""}, {"value": "gas", "ko": "가스", "en": ""}]
    bad = officer.post(f"/surveys/{survey.pk}/questions/new/", {**follow, "code": "x", "cond_question": "nope"})
    assert bad.status_code == 200 and "앞선 문항" in bad.content.decode()
    edit = officer.post(f"/surveys/questions/{q.pk}/", {**follow, "label_ko": "어떤 에너지를 씁니까?"})
    assert edit.status_code == 302 and survey.questions.get(code="energy_kind").label_ko == "어떤 에너지를 씁니까?"


def test_an_uploaded_file_goes_to_the_company_and_officers_only(demand, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    inv = demand.invitations.get(company=world["a"])
    url = f"/surveys/r/{services.invitation_token(inv)}/"
    post = {**VALID, "attachment": SimpleUploadedFile("계획서.pdf", b"%PDF-1.4 plan")}
    assert client_for().post(url, post).status_code == 302
    response = Response.objects.get(company=world["a"])
    assert response.answers["attachment"]["name"] == "계획서.pdf"
    file_url = f"/surveys/responses/{response.pk}/files/attachment/"
    got = client_for(world["users"]["member_a"]).get(file_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 plan"
    assert client_for(world["users"]["officer"]).get(file_url).status_code == 200
    assert client_for(world["users"]["manager_b"]).get(file_url).status_code == 403
    # sending again without a new file keeps it; a refused type is said beside the question
    assert client_for().post(url, VALID).status_code == 302
    assert Response.objects.get(pk=response.pk).answers["attachment"]["name"] == "계획서.pdf"
    bad = client_for().post(url, {**VALID, "attachment": SimpleUploadedFile("virus.exe", b"MZ")})
    assert bad.status_code == 200 and "허용되지 않는 파일 형식" in bad.content.decode()
