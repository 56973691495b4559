"""The audit trail page as an officer uses it: filters, bounded pages, changes in words."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from techvalley.core import audit, selectors, services
from techvalley.core.audit import acting_as
from techvalley.core.models import AuditEntry, Organisation
from techvalley.core.validation import BadInput
from tests.factories import XSS, CompanyFactory, ContactFactory

URL = reverse("core:audit_list")


@pytest.fixture
def officer_client(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    return c


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>") - body.count('colspan="5"')


@pytest.mark.django_db
def test_changes_read_as_words_not_attribute_names_and_ids(world, officer_client):
    cx, company = world["cx"], world["a"]
    with acting_as(world["users"]["officer"]):
        org = services.add_organisation(cx, Organisation.Kind.COMPANY, "새기관 주식회사")
        company.organisation = org
        company.status = "suspended"
        company.save()
    html = html_of(officer_client.get(URL, {"model": "registry.Company"}))
    text = re.sub(r"<[^>]+>", " ", html)  # what the officer reads, without markup
    for raw in ("organisation_id", "registry.Company", "suspended", "operating"):
        assert raw not in text, (raw, [line for line in text.splitlines() if raw in line])
    with translation.override("ko"):
        org_label = selectors.field_label(company._meta.get_field("organisation"), "organisation_id")
        status_label = selectors.field_label(company._meta.get_field("status"), "status")
    assert org_label != "Organisation" and status_label != "Status"
    row = re.search(rf"<b>{re.escape(org_label)}</b>: ([^<]*)</div>", html)
    assert row is not None, html
    assert "회사A" in row.group(1) and "새기관 주식회사" in row.group(1)  # names, not "8 → 9"
    assert re.search(rf"<b>{re.escape(status_label)}</b>: [^<]*가동[^<]*→ [^<]*휴업", html)  # choices by their label
    assert ">기업<" in html  # the kind of record, by its Korean name


@pytest.mark.django_db
def test_describe_entries_costs_the_same_queries_for_any_page_size(world):
    cx = world["cx"]
    with acting_as(world["users"]["officer"]):
        for i in range(30):
            org = services.add_organisation(cx, Organisation.Kind.COMPANY, f"기관 {i}")
            services.add_user(f"user-{i}", "a-long-pass-phrase-42", org, "member")
    entries = list(AuditEntry.objects.filter(complex=cx).order_by("-id"))
    assert len(entries) >= 90
    counts = []
    for size in (5, 90):
        with CaptureQueriesContext(connection) as ctx:
            described = selectors.describe_entries(entries[:size])
        counts.append(len(ctx))
        assert len(described) == size
    assert counts[0] == counts[1], counts
    membership = next(r for r in selectors.describe_entries(entries) if r.entry.model == "core.Membership")
    shown = {c.field: c.new for c in membership.changes}
    assert shown["user_id"].startswith("user-") and shown["organisation_id"].startswith("기관 ")


@pytest.mark.django_db
def test_filters_who_kind_action_company_and_dates(world, officer_client):
    a, b = world["a"], world["b"]
    officer, manager = world["users"]["officer"], world["users"]["manager_a"]
    with acting_as(manager):
        ContactFactory(company=a, name="에이담당")
    with acting_as(officer):
        ContactFactory(company=b, name="비담당")
        a.status = "closed"
        a.save()
    # who
    html = html_of(officer_client.get(URL, {"actor": "manager_a"}))
    assert rows(html) == 1 and "에이담당" in html
    # kind of record
    html = html_of(officer_client.get(URL, {"model": "registry.Contact"}))
    assert rows(html) == 4 and "에이담당" in html and "비담당" in html  # and the two of the fixture
    # action
    html = html_of(officer_client.get(URL, {"action": "update"}))
    assert rows(html) == 1
    # company, by number: the company itself and what belongs to it (its contact), not B's
    html = html_of(officer_client.get(URL, {"company": str(a.pk)}))
    assert "에이담당" in html and "비담당" not in html and rows(html) >= 2
    # company, by part of its name
    html = html_of(officer_client.get(URL, {"company": "비정밀"}))
    assert "비담당" in html and "에이담당" not in html
    html = html_of(officer_client.get(URL, {"company": "없는회사"}))
    assert rows(html) == 0 and "없는회사" in html
    # dates: everything is from today; yesterday has nothing
    today = timezone.localdate()
    assert rows(html_of(officer_client.get(URL, {"since": today.isoformat(), "until": today.isoformat()}))) >= 4
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert rows(html_of(officer_client.get(URL, {"until": yesterday}))) == 0
    # the menus offer readable names
    page = html_of(officer_client.get(URL))
    assert '<option value="registry.Contact">담당자</option>' in page
    assert '<option value="manager_a">manager_a</option>' in page


@pytest.mark.django_db
def test_pages_are_bounded(world, officer_client, settings):
    settings.TECHVALLEY_PAGE_SIZE = 10
    with acting_as(world["users"]["officer"]):
        for i in range(25):
            services.add_organisation(world["cx"], Organisation.Kind.COMPANY, f"페이지 {i}")
    first = html_of(officer_client.get(URL))
    assert rows(first) == 10 and "page=2" in first
    assert rows(html_of(officer_client.get(URL, {"page": "3"}))) >= 5
    # beyond the last page: the last page, not an error
    assert rows(html_of(officer_client.get(URL, {"page": "500"}))) >= 5
    # a huge, a negative, a non-numeric page and a bad date: 400 with a message, never a 500
    for params in (
        {"page": "4611686018427387905"},
        {"page": "99999999999999999999999"},
        {"page": "-1"},
        {"page": "²"},
        {"since": "2025-13-45"},
        {"until": "yesterday"},
        {"since": "2026-01-02", "until": "2026-01-01"},
        {"action": "drop"},
        {"company": "a\x00b"},
    ):
        r = officer_client.get(URL, params)
        assert r.status_code == 400, (params, r.status_code)
        assert "Traceback" not in r.content.decode()


@pytest.mark.django_db
def test_only_officers_of_the_complex_see_it(world):
    for name in ("member_a", "manager_a", "university", "other_officer"):
        c = Client()
        c.force_login(world["users"][name])
        r = c.get(URL)
        assert r.status_code == 403, name
        # an officer of another complex is told which complex, and to switch; others are not
        switch = "담당하는 단지로 전환하세요" in r.content.decode()
        assert switch == (name == "other_officer"), name
    assert Client().get(URL).status_code in (302, 403)


@pytest.mark.django_db
def test_filters_are_checked():
    with pytest.raises(BadInput):
        selectors.AuditFilters.from_params({"since": "31/12/2025"})
    f = selectors.AuditFilters.from_params({"since": "2025-01-01", "actor": "officer", "page": "2"})
    assert f.as_query() == {"since": "2025-01-01", "actor": "officer"}


@pytest.mark.django_db
def test_the_page_escapes_what_it_shows(world, officer_client):
    with acting_as(world["users"]["officer"]):
        CompanyFactory(complex=world["cx"], representative=XSS)
    html = html_of(officer_client.get(URL))
    assert XSS not in html and "&lt;script&gt;" in html


def test_every_audited_field_has_a_readable_korean_name():
    """No change shows a raw attribute name ("rooftop_pv", "organisation_id") in the Korean view."""
    raw = []
    with translation.override("ko"):
        for model, attnames in audit._AUDITED.items():
            fields = {f.attname: f for f in model._meta.concrete_fields}
            kind = selectors.kind_label(model._meta.label)
            if kind == model._meta.verbose_name.replace("_", " ") and re.search(r"[a-z]{3}", kind):
                raw.append(f"{model._meta.label} (the record type)")
            for attname in attnames:
                f = fields[attname]
                label = selectors.field_label(f, attname)
                if label.lower() in (f.name.replace("_", " "), attname, attname.replace("_", " ")):
                    raw.append(f"{model._meta.label}.{attname}: {label}")
    assert raw == [], raw


@pytest.mark.django_db
def test_values_in_words_numbers_lists_and_no_op_changes(world):
    cx = world["cx"]
    entry = AuditEntry(
        model="core.Complex",
        object_id=str(cx.pk),
        object_repr=cx.name,
        action="update",
        actor_label="cli:kim",
        complex=cx,
        changes={
            "area_km2": ["2.80", 2.8],  # the same number, stored as text before and a float after
            "founded_year": [None, 1978],
            "legal_dongs": [["장림동"], ["장림동", "신평동"]],
            "source_note": [None, {"title": "부산시", "url": "", "year": 2025}],
            "vanished_field": ["a", "b"],
        },
    )
    entry.at = timezone.now()
    with translation.override("ko"):
        (readable,) = selectors.describe_entries([entry])
    shown = {c.field: (c.label, c.old, c.new) for c in readable.changes}
    assert "area_km2" not in shown
    assert shown["founded_year"] == ("설립", "—", "1978")
    assert shown["legal_dongs"][1:] == ("장림동", "장림동, 신평동")
    assert shown["source_note"][2] == "부산시 · 2025"
    assert shown["vanished_field"][1:] == ("a", "b")  # a field the model no longer has: still shown
    assert readable.actor == "명령줄 (kim)" and readable.kind == "산업단지"


@pytest.mark.django_db
def test_readable_entries_for_the_api_keep_the_raw_changes(world):
    with acting_as(world["users"]["officer"]):
        org = services.add_organisation(world["cx"], Organisation.Kind.UNIVERSITY, "부경대학교")
    f = selectors.AuditFilters.from_params({"model": "core.Organisation", "actor": "officer"})
    entries = list(selectors.audit_trail(selectors_viewer(world["users"]["officer"]), world["cx"], filters=f))
    assert len(entries) == 1
    with translation.override("ko"):
        row = selectors.describe_entries(entries)[0].as_dict()
    assert row["changes"] == {
        "complex_id": [None, world["cx"].pk],
        "kind": [None, "university"],
        "name": [None, "부경대학교"],
    }
    readable = {c["field"]: (c["label"], c["new"]) for c in row["changes_readable"]}
    assert readable["complex_id"] == ("산업단지", world["cx"].name) and readable["kind"][1] != "university"
    assert row["kind"] == "기관" and row["object_id"] == str(org.pk) and row["actor"] == "officer"


def selectors_viewer(user):
    from techvalley.core.scoping import viewer_for

    return viewer_for(user)
