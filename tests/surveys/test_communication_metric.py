"""The ``surveys.communications`` metric: the communication records counted for the plan card
(surveys' side of the interface; plan tracking's side is tests/projects/test_communication.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.validation import BadInput
from techvalley.surveys import services

pytestmark = pytest.mark.django_db

RECORDS = [
    ("briefing", "2021-05-02", True),  # before the pledge's period
    ("briefing", "2023-06-20", True),
    ("report", "2023-11-23", False),  # internal
    ("satisfaction", "2024-03-05", True),
    ("expert", "2023-08-29", True),
    ("press", "2024-04-12", True),
    ("other", "2025-01-15", True),
]


@pytest.fixture
def records(world):
    for kind, day, public in RECORDS:
        services.save_communication(world["cx"], {"kind": kind, "held_on": day, "title": "기록", "public": public})


def test_the_metric_is_registered_with_its_parameters():
    metric = spine.platform.metrics["surveys.communications"]
    assert "years" in metric.compute.__doc__ and "public_only" in metric.compute.__doc__
    assert str(metric.unit) and str(metric.source)


def test_counts_by_kind_and_year(world, records):
    value = spine.platform.metric_value("surveys.communications", world["cx"])
    assert value["total"] == 7 and value["by_year"] == {2021: 1, 2023: 3, 2024: 2, 2025: 1}
    assert value["latest"] == "2025-01-15" and value["as_of"]
    in_period = spine.platform.metric_value("surveys.communications", world["cx"], years=range(2022, 2028))
    assert in_period["by_kind"]["briefing"] == {2023: 1} and in_period["total"] == 6
    public = spine.platform.metric_value("surveys.communications", world["cx"], years=[2023], public_only=True)
    assert public["by_kind"] == {"briefing": {2023: 1}, "expert": {2023: 1}} and public["total"] == 2
    # another complex's records are not counted
    from techvalley.core.models import Complex

    noksan = Complex.objects.get(slug="noksan")
    assert spine.platform.metric_value("surveys.communications", noksan)["total"] == 0


def test_bad_years_are_bad_input(world):
    with pytest.raises(BadInput):
        spine.platform.metric_value("surveys.communications", world["cx"], years=["2023년"])


def test_the_plan_card_shows_the_records(world, records):
    """End to end: records kept here → the pledge's card on the plan pages (plan tracking reads the
    metric through the spine; neither app imports the other)."""
    from techvalley.projects import services as plan
    from techvalley.projects.demo import data_file

    pledge, _, _ = plan.import_card_file(data_file("cards/saha-3-1.txt"), world["cx"], publish=True)
    c = Client()
    c.force_login(world["users"]["officer"])
    txt = c.get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    # 2022~2027: 설명회·보고회 2 (briefing 2023, report 2023), 설문 1, 자문 1, 보도 1, 기타 1
    assert "기 타\n2회\t1회\t1회\t1회\t1회" in txt
    public = Client().get(reverse("projects:card_download", args=[pledge.pk, "txt"])).content.decode()
    assert "기 타\n1회\t1회\t1회\t1회\t1회" in public  # the internal report meeting is not counted publicly
    page = c.get(reverse("projects:card_page", args=[pledge.pk])).content.decode()
    assert "구민소통 기록에서 집계" in page and "최근 기록 2025-01-15" in page
