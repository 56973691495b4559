"""Contact persons (담당자) and personal data: every contact is kept under a consent recorded
with it (purpose, items, period, who recorded it and how it was obtained); withdrawing erases it
at once, the purge erases it when the period ends, the audit trail keeps no copy, the person's
own export lists it, and everyone else sees it masked (core.privacy's one masking)."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from techvalley.core import privacy
from techvalley.core.models import ApiToken, AuditEntry
from techvalley.core.validation import BadInput
from techvalley.registry import services
from techvalley.registry.models import Contact

pytestmark = pytest.mark.django_db

NOTE = "2026-03-02 전화로 구두 동의, 담당 주무관 확인"
FORM = {"name": "박담당", "position": "총무", "phone": "051-200-1234", "email": "park@example.com"}


def client_for(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def api_for(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.objects.create(user=user, name='t').key}")


def consent_of(contact):
    return privacy.consents_of(contact).get()


def test_a_manager_adds_a_contact_with_its_consent(world):
    a = world["a"]
    response = client_for(world["users"]["manager_a"]).post(
        reverse("registry:contact_add", args=[a.pk]), {**FORM, "retention_days": "730", "agreed": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(company=a, name="박담당")
    assert contact.consent_given_by == "company" and contact.user is None
    consent = consent_of(contact)
    assert consent.purpose_key == "registry.contact" and "기업 지원 연락" in consent.purpose
    assert consent.items == ["name", "position", "phone", "email"]
    assert consent.retention_days == 730 and consent.complex_id == a.complex_id
    assert consent.subject == "박담당" and consent.subject_contact == "park@example.com"
    assert consent.obtained == "company" and consent.recorded_by == world["users"]["manager_a"]
    assert abs((consent.expires_at - timezone.now()) - dt.timedelta(days=730)) < dt.timedelta(minutes=1)


def test_the_form_asks_for_the_persons_agreement_and_checks_the_fields(world):
    url = reverse("registry:contact_add", args=[world["a"].pk])
    manager = client_for(world["users"]["manager_a"])
    no_consent = manager.post(url, FORM)
    assert no_consent.status_code == 400 and not Contact.objects.filter(name="박담당").exists()
    bad_phone = manager.post(url, {**FORM, "phone": "전화 없음", "retention_days": "365", "agreed": "on"})
    assert bad_phone.status_code == 400 and "전화번호가 올바르지 않습니다" in bad_phone.content.decode()
    neither = manager.post(url, {"name": "박담당", "retention_days": "365", "agreed": "on"})
    assert neither.status_code == 400 and "전화번호나 이메일" in neither.content.decode()
    assert not Contact.objects.filter(name="박담당").exists()


def test_an_officer_records_for_the_company_only_saying_how_consent_was_obtained(world):
    url = reverse("registry:contact_add", args=[world["a"].pk])
    officer = client_for(world["users"]["officer"])
    page = officer.get(url)
    assert page.status_code == 200 and "동의를 받은 방법" in page.content.decode()
    without = officer.post(url, {**FORM, "retention_days": "1095", "agreed": "on"})
    assert without.status_code == 400 and "동의를 받은 방법" in without.content.decode()
    with_note = officer.post(url, {**FORM, "retention_days": "1095", "agreed": "on", "note": NOTE})
    assert with_note.status_code == 302
    contact = Contact.objects.get(name="박담당")
    assert contact.consent_given_by == "officer" and contact.consent_note == NOTE
    consent = consent_of(contact)
    assert consent.obtained == "officer" and consent.recorded_by == world["users"]["officer"]


@pytest.mark.parametrize("who", ["member_a", "manager_b", "university", "other_officer", "visitor"])
def test_others_may_not_add_contacts(world, who):
    response = client_for(world["users"][who]).post(
        reverse("registry:contact_add", args=[world["a"].pk]), {**FORM, "agreed": "on", "note": NOTE}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.add_contact(world["users"][who], world["a"], FORM, note=NOTE)
    assert not Contact.objects.filter(name="박담당").exists()


def test_withdrawing_erases_the_contact_now_and_keeps_a_stripped_consent(world):
    contact = services.add_contact(world["users"]["manager_a"], world["a"], FORM)
    pk = contact.pk
    page = client_for(world["users"]["manager_a"]).get(reverse("registry:company_detail", args=[world["a"].pk]))
    withdraw = reverse("registry:contact_withdraw", args=[pk])
    assert withdraw in page.content.decode()
    assert client_for(world["users"]["manager_b"]).post(withdraw).status_code == 403
    assert client_for(world["users"]["manager_a"]).post(withdraw).status_code == 302
    assert not Contact.objects.filter(pk=pk).exists()
    consent = privacy.Consent.objects.get(record_type="registry.Contact", record_id=str(pk))
    assert consent.withdrawn_at and consent.erased_at and consent.subject == "" and consent.subject_contact == ""
    # the audit trail keeps who did what, not the person
    trail = AuditEntry.objects.filter(model="registry.Contact", object_id=str(pk))
    assert trail.count() == 2  # created, deleted
    text = json.dumps([[e.object_repr, e.changes] for e in trail], ensure_ascii=False)
    assert "박담당" not in text and "051-200-1234" not in text and "park@example.com" not in text
    assert privacy.ERASED in text


def test_a_contact_older_than_consents_is_simply_erased(world):
    legacy = Contact.objects.get(company=world["a"])  # made by the fixture, no consent
    services.withdraw_contact(world["users"]["officer"], legacy)
    assert not Contact.objects.filter(pk=legacy.pk).exists()
    assert "김민준" not in json.dumps(
        list(AuditEntry.objects.filter(model="registry.Contact").values_list("object_repr", "changes")),
        ensure_ascii=False,
    )


def test_the_purge_erases_contacts_whose_period_ended(world):
    kept = services.add_contact(world["users"]["manager_a"], world["a"], FORM, retention_days=1095)
    short = services.add_contact(
        world["users"]["manager_a"], world["a"], {**FORM, "name": "최단기", "email": ""}, retention_days=365
    )
    later = timezone.now() + dt.timedelta(days=400)
    assert privacy.purge_expired(later, dry_run=True) == {"registry.contact": 1}
    assert Contact.objects.filter(pk=short.pk).exists()
    assert privacy.purge_expired(later) == {"registry.contact": 1}
    assert not Contact.objects.filter(pk=short.pk).exists() and Contact.objects.filter(pk=kept.pk).exists()
    assert privacy.purge_expired(later) == {}


def test_the_person_sees_withdraws_and_exports_their_own_contact(world):
    person = world["users"]["member_a"]
    person.email = "Park@Example.com"
    person.save()
    contact = services.add_contact(world["users"]["manager_a"], world["a"], FORM)
    assert contact.user == person  # a member of the company under this e-mail address
    assert consent_of(contact).user == person
    export = privacy.export_person(person)
    assert export["registry.contact"][0]["name"] == "박담당"
    assert export["registry.contact"][0]["kept_until"]
    mine = [c for c in export["consents"] if c["record"] == f"registry.Contact {contact.pk}"]
    assert mine and mine[0]["obtained"] and mine[0]["recorded_by"] == world["users"]["manager_a"].get_username()
    assert privacy.export_person(world["users"]["manager_b"])["registry.contact"] == []
    # the person themself may withdraw (an ordinary member may not withdraw others)
    other = services.add_contact(world["users"]["manager_a"], world["a"], {**FORM, "name": "정타인", "email": ""})
    with pytest.raises(PermissionDenied):
        services.withdraw_contact(person, other)
    services.withdraw_contact(person, contact)
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contacts_masked_for_others_by_core_privacy(world):
    url = reverse("registry:company_detail", args=[world["a"].pk])
    visitor = client_for(world["users"]["visitor"]).get(url).content.decode()
    assert "김*준" in visitor and "010-****-2222" in visitor and "a***@example.com" in visitor
    assert "010-1111-2222" not in visitor and "김민준" not in visitor
    for who in ("member_a", "officer"):
        html = client_for(world["users"][who]).get(url).content.decode()
        assert "010-1111-2222" in html and "a@example.com" in html, who
    assert "김*준" not in client_for(None).get(url).content.decode()  # the public sees no contact at all
    api = api_for(world["users"]["manager_b"]).get(f"/api/registry/companies/{world['a'].pk}").json()
    assert api["contacts"][0]["phone"] == "010-****-2222" and api["contacts"][0]["name"] == "김*준"


def test_the_api_adds_and_withdraws_with_consent(world):
    manager = api_for(world["users"]["manager_a"])
    url = f"/api/registry/companies/{world['a'].pk}/contacts"
    refused = manager.post(url, {**FORM, "agreed": False}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "agreed"
    bad = manager.post(url, {**FORM, "email": "not-mail", "agreed": True}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "email" and "이메일" in bad.json()["message"]
    officer = api_for(world["users"]["officer"]).post(url, {**FORM, "agreed": True}, content_type="application/json")
    assert officer.status_code == 400 and officer.json()["field"] == "note"
    made = manager.post(url, {**FORM, "agreed": True, "retention_days": 365}, content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert consent_of(Contact.objects.get(pk=pk)).retention_days == 365
    assert api_for(world["users"]["manager_b"]).delete(f"/api/registry/contacts/{pk}").status_code == 403
    assert manager.delete(f"/api/registry/contacts/{pk}").status_code == 204
    assert not Contact.objects.filter(pk=pk).exists()


def test_the_import_records_a_consent_per_row_all_or_nothing(world, tmp_path):
    from techvalley.registry.cli import registry_app

    a, b = world["a"], world["b"]
    b.brn, a.brn = "1248100998", ""
    b.save()
    good = tmp_path / "contacts.csv"
    good.write_text(
        f"사업자등록번호,회사명,성명,직위,전화,이메일\n124-81-00998,,정하나,대리,051-111-2222,\n,{a.name},윤두리,,,d@example.com\n",
        encoding="utf-8-sig",
    )
    runner = CliRunner()
    no_note = runner.invoke(registry_app, ["contacts", "import", str(good), "--complex", world["cx"].slug])
    assert no_note.exit_code == 2 and "동의를 받은 방법" in no_note.output
    result = runner.invoke(
        registry_app, ["contacts", "import", str(good), "--complex", world["cx"].slug, "--note", NOTE]
    )
    assert result.exit_code == 0, result.output
    made = Contact.objects.filter(name__in=["정하나", "윤두리"])
    assert {c.company_id for c in made} == {a.pk, b.pk} and {c.consent_given_by for c in made} == {"officer"}
    ids = [str(c.pk) for c in made]
    consents = privacy.Consent.objects.filter(purpose_key="registry.contact", record_id__in=ids)
    assert consents.count() == 2 and {(c.obtained, c.recorded_by_id) for c in consents} == {("officer", None)}
    bad = tmp_path / "bad.csv"
    rows = f"회사명,성명,전화\n{a.name},가나,051-111-3333\n없는회사,다라,051-111-4444\n"
    bad.write_text(rows, encoding="cp949")
    args = ["contacts", "import", str(bad), "--complex", world["cx"].slug, "--note", NOTE]
    failed = runner.invoke(registry_app, args)
    assert failed.exit_code == 2 and "3행" in failed.output
    assert not Contact.objects.filter(name="가나").exists()


def test_add_contact_rejects_retention_beyond_the_ceiling(world):
    with pytest.raises(BadInput):
        services.add_contact(world["users"]["manager_a"], world["a"], FORM, retention_days=10_000)


def test_contacts_without_consent_are_listed_masked_and_erased_on_request(world):
    from techvalley.registry.cli import registry_app

    consented = services.add_contact(world["users"]["manager_a"], world["a"], FORM)
    legacy = set(Contact.objects.exclude(pk=consented.pk).values_list("pk", flat=True))  # the fixture's two
    assert set(services.contacts_without_consent(world["cx"]).values_list("pk", flat=True)) == legacy
    runner = CliRunner()
    listed = runner.invoke(registry_app, ["contacts", "unconsented", "--complex", world["cx"].slug])
    assert listed.exit_code == 0 and "김*준" in listed.output and "김민준" not in listed.output
    erased = runner.invoke(registry_app, ["contacts", "unconsented", "--complex", world["cx"].slug, "--erase"])
    assert erased.exit_code == 0, erased.output
    assert list(Contact.objects.values_list("pk", flat=True)) == [consented.pk]
