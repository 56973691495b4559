"""The open dataset ``projects.plan_progress``: public plan headings by year — targets, achievements,
budget and progress — and nothing internal or personal."""

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.projects import services
from techvalley.projects.models import Project
from tests.portal.test_opendata import personal_findings

pytestmark = pytest.mark.django_db
KEY = "projects.plan_progress"


def dataset():
    return spine.platform.datasets[KEY]


def table(cx) -> list[dict]:
    names = [c.name for c in dataset().columns]
    return [dict(zip(names, r, strict=True)) for r in dataset().rows(cx)]


def test_rows_by_heading_and_year(cx, pledge):
    sub = services.create_subproject(pledge, "저탄소 그린산단 조성사업", budget_krw=10**9)
    services.set_budget_line(sub, 2024, "national", planned=500, secured=400, spent=100)
    services.set_budget_line(sub, 2024, "city", planned=50, secured=50, spent=10)
    Project.objects.filter(pk=sub.pk).update(actual_percent=30)
    rows = table(cx)
    pledge_rows = {r["year"]: r for r in rows if r["project_id"] == pledge.pk}
    # the yearly plan 2022…2026 and 임기 후; the card's 22 achievements: 1 in 2022, 21 in 2023
    assert [y for y in pledge_rows] == [2022, 2023, 2024, 2025, 2026, None]
    assert pledge_rows[2023]["target_percent"] == 40.0 and pledge_rows[2023]["achievements"] == 21
    assert pledge_rows[2022]["achievements"] == 1 and pledge_rows[None]["target_plan"] == "낙동강 테크노밸리 조성"
    assert {r["pledge_no"] for r in rows} == {"3-1"} and pledge_rows[2023]["level"] == "pledge"
    sub_rows = [r for r in rows if r["project_id"] == sub.pk]
    assert len(sub_rows) == 1 and sub_rows[0]["year"] == 2024 and sub_rows[0]["parent_id"] == pledge.pk
    assert (sub_rows[0]["budget_planned_krw"], sub_rows[0]["budget_secured_krw"], sub_rows[0]["budget_spent_krw"]) == (
        550,
        450,
        110,
    )
    assert sub_rows[0]["progress_percent"] == 30.0 and pledge_rows[2023]["progress_percent"] == 30.0  # rolled up
    assert dataset().updated(cx) is not None


def test_internal_records_and_contacts_stay_out(world, cx, pledge):
    hidden = services.create_subproject(pledge, "비공개 세부사업")
    Project.objects.filter(pk=hidden.pk).update(public=False)
    other = services.card_of(pledge)
    other["management_no"] = "9-9"
    internal, _ = services.import_card(other, cx)  # a new card starts internal
    ids = {r["project_id"] for r in table(cx)}
    assert pledge.pk in ids and hidden.pk not in ids and internal.pk not in ids
    assert personal_findings(cx, [dataset()], ["최재봉", "888-4932", "5021"]) == []


def test_the_portal_serves_it_in_every_format(cx, pledge):
    c = Client()
    expected = [list(r) for r in dataset().rows(cx)]
    names = [col.name for col in dataset().columns]
    text = c.get(reverse("portal:dataset_download", args=[KEY, "csv"])).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[0] == names and len(text.splitlines()) == len(expected) + 1
    doc = json.loads(c.get(reverse("portal:dataset_download", args=[KEY, "json"])).content)
    assert [[row[n] for n in names] for row in doc["rows"]] == expected
    parquet = pq.read_table(io.BytesIO(c.get(reverse("portal:dataset_download", args=[KEY, "parquet"])).content))
    assert [list(r.values()) for r in parquet.to_pylist()] == expected
