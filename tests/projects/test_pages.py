import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from techvalley.core.models import ApiToken
from techvalley.projects import services
from techvalley.projects.models import ProgressReport, Project

ROLES = ["anonymous", "visitor", "member_a", "manager_a", "university", "officer", "other_officer"]


def client(world, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_public_pages_show_no_internal_contacts(world, pledge, role):
    c = client(world, role)
    # An officer of another complex opens on their own complex: ask for this one by name.
    listing = reverse("projects:pledge_list") + f"?complex={world['cx'].slug}"
    for url in (listing, reverse("projects:pledge_public", args=[pledge.pk])):
        html = c.get(url).content.decode()
        assert pledge.title in html and "최재봉" not in html and "888-4932" not in html
    data = c.get(f"/api/plan/pledges/{pledge.pk}/card").json()
    assert (data["department"]["contact"] == "최재봉") is (role == "officer")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_internal_pages_are_for_officers_of_the_complex(world, pledge, role):
    c = client(world, role)
    for name, args in (
        ("projects:dashboard", []),
        ("projects:card_page", [pledge.pk]),
        ("projects:report_list", []),
        ("projects:project_edit", [pledge.pk]),
        ("projects:report_new", [pledge.pk]),
        ("projects:card_import", []),
    ):
        # this complex by name: an officer of another complex otherwise opens on their own
        url = reverse(name, args=args) + f"?complex={world['cx'].slug}"
        assert (c.get(url).status_code == 200) is (role == "officer"), name


@pytest.mark.django_db
def test_hidden_pledge_is_not_public(world, pledge):
    Project.objects.filter(pk=pledge.pk).update(public=False)
    assert Client().get(reverse("projects:pledge_public", args=[pledge.pk])).status_code == 404
    assert Client().get(reverse("projects:card_download", args=[pledge.pk, "pdf"])).status_code == 404
    assert client(world, "officer").get(reverse("projects:card_download", args=[pledge.pk, "pdf"])).status_code == 200


@pytest.mark.django_db
def test_downloads(world, pledge):
    c = client(world, "officer")
    pdf = c.get(reverse("projects:card_download", args=[pledge.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    hwpx = c.get(reverse("projects:card_download", args=[pledge.pk, "hwpx"]))
    assert hwpx.content[:2] == b"PK"
    txt = c.get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    assert "최재봉" in txt and "관리번호" in txt
    assert "최재봉" not in Client().get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    xlsx = c.get(reverse("projects:export_xlsx"))
    assert xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_pledges(world, pledge):
    c = client(world, "officer")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("projects:dashboard")).status_code == 200
        return len(ctx)

    one = count()
    for i in range(5):
        card = services.card_of(pledge)
        card["management_no"] = f"9-{i}"
        services.import_card(card, world["cx"])
    assert count() == one


@pytest.mark.django_db
def test_report_workflow_through_the_pages(world, pledge, planner):
    officer = client(world, "officer")
    r = officer.post(
        reverse("projects:report_new", args=[pledge.pk]),
        {
            "year": 2024,
            "quarter": 2,
            "percent": "52",
            "summary": "2분기",
            "ach-TOTAL_FORMS": 3,
            "ach-INITIAL_FORMS": 0,
            "ach-0-heading": "지식산업센터 활성화",
            "ach-0-start": "2024-04",
            "ach-0-text": "기업 유치 설명회",
        },
    )
    report = ProgressReport.objects.get()
    assert r.status_code == 302 and report.new_achievements[0]["text"] == "기업 유치 설명회"
    officer.post(reverse("projects:report_action", args=[report.pk, "submit"]))
    # An officer who is not in the planning office cannot approve.
    officer.post(reverse("projects:report_action", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert report.state == "submitted"
    p = Client()
    p.force_login(planner)
    p.post(reverse("projects:report_action", args=[report.pk, "approve"]), {"comment": "좋습니다"})
    report.refresh_from_db()
    pledge.refresh_from_db()
    assert report.state == "approved" and pledge.actual_percent == 52


@pytest.mark.django_db
def test_card_upload_page(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from techvalley.projects.demo import data_file

    c = client(world, "officer")
    r = c.post(
        reverse("projects:card_import"),
        {"file": SimpleUploadedFile("c.txt", data_file("cards/saha-3-1.txt").read_bytes())},
    )
    assert r.status_code == 302 and Project.objects.filter(management_no="3-1").exists()
    r = c.post(reverse("projects:card_import"), {"file": SimpleUploadedFile("x.txt", "그냥 메모".encode())})
    assert "관리카드" in r.content.decode()


@pytest.mark.django_db
def test_api_parse_and_report_workflow(world, pledge, planner):
    from techvalley.projects.demo import data_file

    c = Client()
    parsed = c.post(
        "/api/plan/cards/parse", {"text": data_file("cards/saha-3-1.txt").read_text()}, content_type="application/json"
    ).json()
    assert parsed["management_no"] == "3-1" and len(parsed["achievements"]) == 22 and parsed["unplaced"] == []
    assert c.post("/api/plan/cards/parse", {"text": "아무 글"}, content_type="application/json").status_code == 422
    tok = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=world['users']['officer'], name='t').key}"}
    ptok = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=planner, name='p').key}"}
    r = c.post(
        f"/api/plan/pledges/{pledge.pk}/reports",
        {"year": 2025, "quarter": 1, "percent": 70},
        content_type="application/json",
        **tok,
    )
    rid = r.json()["id"]
    assert c.post(f"/api/plan/reports/{rid}/submit", {}, content_type="application/json", **tok).status_code == 200
    assert c.post(f"/api/plan/reports/{rid}/approve", {}, content_type="application/json", **tok).status_code == 403
    r = c.post(f"/api/plan/reports/{rid}/approve", {}, content_type="application/json", **ptok)
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert c.post(f"/api/plan/reports/{rid}/approve", {}, content_type="application/json", **ptok).status_code == 409
    pledges = c.get("/api/plan/pledges").json()
    assert pledges[0]["actual_percent"] == 70.0 and pledges[0]["planned_percent"] is not None
