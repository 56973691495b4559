"""Evidence files: uploaded through the service (audited, size-limited), served only through the
report's scoped view, always as a download with a type chosen from a fixed list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from techvalley.core.models import AuditEntry
from techvalley.core.validation import BadInput
from techvalley.projects import services
from techvalley.projects.models import Evidence
from tests.projects.factories import ProgressReportFactory, ProjectFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False


@pytest.fixture
def report(world):
    return ProgressReportFactory(project=ProjectFactory(complex=world["cx"]))


def _client(world, role):
    c = Client(raise_request_exception=False)
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


def _upload(client, report, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("projects:report_action", args=[report.pk, "evidence"]),
        {"file": SimpleUploadedFile(name, content, content_type), "name": ""},
    )


@pytest.mark.django_db
def test_upload_through_the_page_is_saved_and_audited(world, report):
    """It answered 500 (FieldFile is not JSON serializable) yet kept the file without an audit entry."""
    response = _upload(_client(world, "officer"), report, "협약서.pdf", b"%PDF-1.4 agreement", "application/pdf")
    assert response.status_code == 302
    evidence = Evidence.objects.get(report=report)
    assert (evidence.name, evidence.content_type, evidence.size) == ("협약서.pdf", "application/pdf", 18)
    entry = AuditEntry.objects.get(model="projects.Evidence", object_id=str(evidence.pk))
    assert entry.actor == world["users"]["officer"] and entry.action == "create"
    assert entry.changes["file"][1].startswith("evidence/")


@pytest.mark.django_db
def test_download_is_scoped_and_works_with_debug_off(world, report):
    _upload(_client(world, "officer"), report, "현장.png", b"\x89PNG\r\n\x1a\n....", "image/png")
    evidence = Evidence.objects.get(report=report)
    url = reverse("projects:evidence_download", args=[evidence.pk])
    detail = _client(world, "officer").get(reverse("projects:report_detail", args=[report.pk])).content.decode()
    assert url in detail and "/media/" not in detail
    ok = _client(world, "officer").get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"\x89PNG")
    assert ok["Content-Type"] == "image/png" and ok["Content-Disposition"].startswith("attachment;")
    for role in ("anonymous", "visitor", "member_a", "manager_a", "university", "other_officer"):
        assert _client(world, role).get(url).status_code in (302, 403, 404), role


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["page.html", "image.svg", "script.js", "noext"])
def test_active_content_is_never_served_as_a_page(world, report, name):
    payload = b"<html><script>alert(document.cookie)</script></html>"
    _upload(_client(world, "officer"), report, name, payload, "text/html")
    evidence = Evidence.objects.get(report=report)
    assert evidence.content_type == "application/octet-stream"  # not the uploader's "text/html"
    response = _client(world, "officer").get(reverse("projects:evidence_download", args=[evidence.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_upload_size_is_limited(world, report, monkeypatch):
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 10)
    with pytest.raises(BadInput) as exc:
        services.attach_evidence(report, SimpleUploadedFile("big.pdf", b"x" * 11))
    assert exc.value.status == 413
    response = _upload(_client(world, "officer"), report, "big.pdf", b"x" * 11)
    assert response.status_code == 413 and not Evidence.objects.exists()


@pytest.mark.django_db
def test_no_upload_to_a_submitted_report(world, report):
    report.state = report.State.SUBMITTED
    report.save()
    _upload(_client(world, "officer"), report, "late.pdf", b"%PDF")
    assert not Evidence.objects.exists()
