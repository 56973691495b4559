"""Record links on the module's own pages: agreements and programmes are linkable types; their pages
show what they link to (public targets only for the public), the officers' form to add a link,
and, for officers, the records that link to them."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from techvalley.collaboration import services
from techvalley.core import links, spine
from techvalley.core.models import RecordLink
from techvalley.core.scoping import viewer_for


@pytest.fixture
def records(world):
    cx = world["cx"]
    agreement = services.record_agreement(
        cx,
        title="사하구-동아대학교 SW중심대학 사업 협약",
        signed_on=dt.date(2023, 12, 5),
        parties=[("부산광역시 사하구", "government"), ("동아대학교", "university")],
    )
    public = services.record_programme(cx, title="SW중심대학 사업", funder="과학기술정보통신부")
    private = services.save_programme(cx, {"title": "내부 검토 중인 공모사업", "is_public": False})
    officer = viewer_for(world["users"]["officer"])
    links.link_record(officer, agreement, "collaboration.programme", public.pk, note="협약 후속 사업")
    links.link_record(officer, agreement, "collaboration.programme", private.pk)
    return {"agreement": agreement, "public": public, "private": private}


def _get(world, who, url):
    client = Client()
    if world["users"][who] is not None:
        client.force_login(world["users"][who])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_agreements_and_programmes_are_linkable():
    types = spine.platform.linkable_types
    assert types["collaboration.agreement"].model == "collaboration.Agreement"
    assert types["collaboration.programme"].model == "collaboration.Programme"


def test_the_agreement_page_shows_its_links_public_ones_to_the_public(world, records):
    url = records["agreement"].get_absolute_url()
    officer = _get(world, "officer", url)
    assert "SW중심대학 사업" in officer and "내부 검토 중인 공모사업" in officer and "협약 후속 사업" in officer
    assert reverse("core:link_add") in officer  # the officers' form to add a link
    for who in ("anonymous", "manager_a", "university", "other_officer"):
        page = _get(world, who, url)
        assert "SW중심대학 사업" in page, who
        assert "내부 검토 중인 공모사업" not in page, who
        assert reverse("core:link_add") not in page, who


def test_the_programme_page_shows_the_records_that_link_to_it_to_officers(world, records):
    url = records["public"].get_absolute_url()
    officer = _get(world, "officer", url)
    assert "이 기록을 연결한 기록" in officer and records["agreement"].title in officer
    assert "이 기록을 연결한 기록" not in _get(world, "anonymous", url)


def test_an_officer_links_a_programme_to_an_agreement_from_its_page(world, records):
    client = Client()
    client.force_login(world["users"]["officer"])
    target = services.save_programme(world["cx"], {"title": "고등직업교육거점지구사업"})
    source = records["public"]
    r = client.post(
        reverse("core:link_add"),
        {
            "source_type": "collaboration.Programme",
            "source_id": source.pk,
            "type": "collaboration.agreement",
            "target": records["agreement"].pk,
            "next": source.get_absolute_url(),
        },
    )
    assert r.status_code == 302 and r["Location"] == source.get_absolute_url()
    assert RecordLink.objects.filter(
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        target_type="collaboration.agreement",
    ).exists()
    assert records["agreement"].title in _get(world, "anonymous", source.get_absolute_url())
    assert target.title not in _get(world, "anonymous", source.get_absolute_url())


def test_links_on_the_page_cost_no_query_per_link(world, records):
    officer = viewer_for(world["users"]["officer"])
    for i in range(10):
        p = services.save_programme(world["cx"], {"title": f"추가 사업 {i}"})
        links.link_record(officer, records["agreement"], "collaboration.programme", p.pk)
    client = Client()
    client.force_login(world["users"]["officer"])
    url = records["agreement"].get_absolute_url()
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10, 30):
        p = services.save_programme(world["cx"], {"title": f"추가 사업 {i}"})
        links.link_record(officer, records["agreement"], "collaboration.programme", p.pk)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
