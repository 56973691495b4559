"""Record links: a record links to a registered linkable type, officers only, resolved without N+1."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from techvalley.core import links, spine
from techvalley.core.models import AuditEntry, Organisation, RecordLink
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from tests.factories import ComplexFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def org_type():
    """A linkable type for the test: organisations; the university ones count as public."""
    kind = spine.LinkableType(
        key="test.organisation",
        label="기관",
        model="core.Organisation",
        candidates=lambda cx, q: Organisation.objects.filter(complex=cx, name__icontains=q),
        url=lambda o: f"/orgs/{o.pk}/",
        is_public=lambda o: o.kind == Organisation.Kind.UNIVERSITY,
        title=lambda o: o.name,
    )
    spine.linkable(kind)
    yield kind
    del spine.platform.linkable_types[kind.key]


@pytest.fixture
def people(cx):
    district = OrganisationFactory(complex=cx, kind=Organisation.Kind.DISTRICT, name="사하구청")
    company = OrganisationFactory(complex=cx, name="회사")
    officer = MembershipFactory(organisation=district, role="officer", user=UserFactory(username="off")).user
    manager = MembershipFactory(organisation=company, role="manager", user=UserFactory(username="mgr")).user
    return {"officer": officer, "manager": manager, "district": district, "company": company}


@pytest.mark.django_db
def test_officer_links_and_unlinks_with_audit(cx, org_type, people):
    uni = OrganisationFactory(complex=cx, kind=Organisation.Kind.UNIVERSITY, name="동아대학교")
    viewer = viewer_for(people["officer"])
    link = links.link_record(viewer, people["company"], "test.organisation", uni.pk, "MOU 2023-11")
    resolved = links.links_for_many([people["company"]])[people["company"].pk]
    assert [(r.title, r.url, r.public, r.link.note) for r in resolved] == [
        ("동아대학교", f"/orgs/{uni.pk}/", True, "MOU 2023-11")
    ]
    assert AuditEntry.objects.filter(model="core.RecordLink", object_id=str(link.pk), action="create").exists()
    with pytest.raises(BadInput) as dup:
        links.link_record(viewer, people["company"], "test.organisation", uni.pk)
    assert dup.value.status == 409
    links.unlink_record(viewer, link)
    assert not RecordLink.objects.exists()
    assert AuditEntry.objects.filter(model="core.RecordLink", action="delete").exists()


@pytest.mark.django_db
def test_only_officers_of_the_complex_link(cx, org_type, people):
    target = people["district"]
    with pytest.raises(PermissionDenied):
        links.link_record(viewer_for(people["manager"]), people["company"], "test.organisation", target.pk)
    other_cx = ComplexFactory(slug="noksan", name="녹산")
    outsider = OrganisationFactory(complex=other_cx, name="남의 기관")
    with pytest.raises(BadInput):  # a record of another complex cannot be linked
        links.link_record(viewer_for(people["officer"]), people["company"], "test.organisation", outsider.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("type_key,target", [("no.such", 1), ("test.organisation", "abc"), ("test.organisation", 0)])
def test_bad_link_input_is_refused(cx, org_type, people, type_key, target):
    with pytest.raises(BadInput):
        links.link_record(viewer_for(people["officer"]), people["company"], type_key, target)


@pytest.mark.django_db
def test_public_pages_see_only_public_targets_and_queries_do_not_grow(cx, org_type, people):
    viewer = viewer_for(people["officer"])
    sources = [OrganisationFactory(complex=cx, name=f"출처 {i}") for i in range(12)]
    uni = OrganisationFactory(complex=cx, kind=Organisation.Kind.UNIVERSITY, name="부산보건대")
    for s in sources:
        links.link_record(viewer, s, "test.organisation", uni.pk)
        links.link_record(viewer, s, "test.organisation", people["district"].pk)
    with CaptureQueriesContext(connection) as ctx:
        everything = links.links_for_many(sources)
    assert len(ctx.captured_queries) <= 3  # content type, links, one per target type
    assert all(len(v) == 2 for v in everything.values())
    public = links.links_for_many(sources, public_only=True)
    assert {r.title for v in public.values() for r in v} == {"부산보건대"}


@pytest.mark.django_db
def test_link_pages_for_the_officer(cx, org_type, people):
    uni = OrganisationFactory(complex=cx, kind=Organisation.Kind.UNIVERSITY, name="동아대학교")
    c = Client()
    c.force_login(people["officer"])
    r = c.get("/links/candidates/", {"type": "test.organisation", "q": "동아"})
    assert r.status_code == 200 and "동아대학교" in r.content.decode()
    body = {
        "source_type": "core.Organisation",
        "source_id": people["company"].pk,
        "type": "test.organisation",
        "target": uni.pk,
        "next": "/registry/companies/",
    }
    r = c.post("/links/add/", body)
    assert r.status_code == 302 and r["Location"] == "/registry/companies/"
    link = RecordLink.objects.get()
    assert c.post(f"/links/{link.pk}/remove/", {"next": "https://evil.example/"})["Location"] == "/"
    assert not RecordLink.objects.exists()
    manager = Client()
    manager.force_login(people["manager"])
    assert manager.post("/links/add/", body).status_code == 403
