"""Energy data is private: the role × object matrix for pages and API."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core.models import ApiToken
from techvalley.green import services
from tests.green.conftest import write_csv
from tests.green.test_ingest import quarter_rows

ROLES = ["anonymous", "visitor", "member_a", "manager_a", "manager_b", "university", "officer", "other_officer"]
SEES_A = {"member_a", "manager_a", "officer"}


@pytest.fixture
def readings(world, meters, tmp_path):
    rows = quarter_rows("A-electricity", day="2025-03-03") + quarter_rows("B-electricity", day="2025-03-03", value=2)
    services.ingest_files(world["cx"], [write_csv(tmp_path / "r.csv", rows)])


def client(world, role):
    c = Client()
    if world["users"][role] is not None:
        c.force_login(world["users"][role])
    return c


def token(world, role):
    user = world["users"][role]
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.objects.create(user=user, name='t').key}"} if user else {}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_company_energy_page(world, readings, role):
    r = client(world, role).get(reverse("green:company", args=[world["a"].pk]), {"year": 2025})
    assert (r.status_code == 200) is (role in SEES_A)
    if r.status_code == 200:
        html = r.content.decode()
        assert "96" in html and "kr-2023" in html and "비정밀" not in html  # never company B


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_complex_energy_page_and_export(world, readings, role):
    c = client(world, role)
    assert (c.get(reverse("green:complex"), {"year": 2025}).status_code == 200) is (role == "officer")
    export = c.get(reverse("green:company_export", args=[world["a"].pk]), {"year": 2025})
    assert (export.status_code == 200) is (role in SEES_A)
    if export.status_code == 200:
        assert "2025-03" in export.content.decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_report_api(world, readings, role):
    c = Client()
    own = c.get("/api/green/report", {"year": 2025, "company": world["a"].pk}, **token(world, role))
    assert (own.status_code == 200) is (role in SEES_A)
    whole = c.get("/api/green/report", {"year": 2025}, **token(world, role))
    assert (whole.status_code == 200) is (role == "officer")
    if whole.status_code == 200:
        data = whole.json()
        assert data["factors"]["emission_set"] == "kr-2023" and data["total"]["kwh"] == pytest.approx(96 + 192)


@pytest.mark.django_db
def test_readings_api_takes_only_own_meters(world, meters):
    batch = [{"meter_id": "A-electricity", "timestamp": "2025-04-01T00:00:00+09:00", "value": 1.5}]
    c = Client()
    assert c.post("/api/green/readings", batch, content_type="application/json").status_code == 401
    other = c.post("/api/green/readings", batch, content_type="application/json", **token(world, "manager_b"))
    assert other.status_code == 403
    mine = c.post("/api/green/readings", batch, content_type="application/json", **token(world, "member_a"))
    assert mine.status_code == 200 and mine.json()["accepted"] == 1
    again = c.post("/api/green/readings", batch, content_type="application/json", **token(world, "officer"))
    assert again.json()["skipped"] is True


@pytest.mark.django_db
def test_energy_index_sends_people_to_what_they_may_see(world, readings):
    assert client(world, "officer").get(reverse("green:index")).url == reverse("green:complex")
    assert client(world, "member_a").get(reverse("green:index")).url == reverse("green:company", args=[world["a"].pk])
    assert client(world, "visitor").get(reverse("green:index")).status_code == 403


@pytest.mark.django_db
def test_excel_export_with_the_factor_version(world, readings):
    import io

    from openpyxl import load_workbook

    r = client(world, "officer").get(reverse("green:complex_export_xlsx"), {"year": 2025, "factors": "kr-2020-2022"})
    wb = load_workbook(io.BytesIO(r.getvalue()))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0].startswith("기업") and len(rows) == 3
    factors = {row[2]: row[1] for row in wb.worksheets[1].iter_rows(values_only=True)}
    assert factors["emission_set"] == "kr-2020-2022" and factors["electricity_t_per_mwh"] == "0.4541"
    labels = [row[0] for row in wb.worksheets[1].iter_rows(values_only=True)]
    assert all(not label.isascii() for label in labels)  # Korean labels, not the JSON keys


@pytest.mark.django_db
def test_complex_page_totals_say_their_source_date_and_whether_simulated(world, readings):
    from techvalley.green.models import IngestLog

    html = client(world, "officer").get(reverse("green:complex"), {"year": 2025}).content.decode()
    line = html[html.index('class="source readings-source"') :].split("</p>")[0]
    assert "2025-" in line and 'class="simulated"' not in line  # the date of the last reading
    IngestLog.objects.filter(complex=world["cx"]).update(actor_label="demo")
    html = client(world, "officer").get(reverse("green:complex"), {"year": 2025}).content.decode()
    line = html[html.index('class="source readings-source"') :].split("</p>")[0]
    assert 'class="simulated"' in line


@pytest.mark.django_db
def test_a_meter_is_named_by_its_kind_in_words(world, readings):
    """The audit trail and the officer's recent changes show "M-1 (전력)", not "M-1 (electricity)"."""
    from django.utils import translation

    from techvalley.green.models import Meter

    meter = Meter.objects.filter(kind="electricity").first()
    with translation.override("ko"):
        assert str(meter) == f"{meter.meter_id} (전력)"
