"""core.privacy beyond the basics: erasing one consent now (a withdrawal), the audit trail
redacted with it, retention periods tied to a date, consents recorded in bulk, and the one
masking every app uses (the registry's and the facilities' copies are gone: same or better)."""

import datetime as dt
import importlib

import pytest
from django.utils import timezone

from techvalley.core import privacy, spine
from techvalley.core.audit import acting_as, entry
from techvalley.core.models import AuditEntry, Complex
from techvalley.core.privacy import Consent
from tests.factories import ComplexFactory, UserFactory


@pytest.fixture
def hook(monkeypatch):
    erased = []
    provider = spine.PersonalData(
        "test.thing", "things", erase_consented=lambda c: erased.append(c.record_id), items=("name", "phone")
    )
    monkeypatch.setattr(spine.platform, "personal_data_by_key", {"test.thing": provider})
    return erased


def _consent(**kw) -> Consent:
    values = {"purpose_key": "test.thing", "purpose": "시험", "items": ["name"], "retention_days": 30}
    values["subject"] = "홍길동"
    return privacy.record_consent(**{**values, **kw})


@pytest.mark.django_db
def test_erase_now_runs_the_hook_strips_the_consent_and_redacts_the_audit(hook):
    cx = ComplexFactory()
    with acting_as(None, "test"):
        c = _consent(complex=cx, subject_contact="010-1234-5678")
        Consent.objects.filter(pk=c.pk).update(record_type="test.Thing", record_id="7")
        c.refresh_from_db()
        made = entry(cx, "create", {"name": [None, "홍길동"], "phone": [None, "010-1234-5678"], "size": [1, 2]})
        made.model, made.object_id, made.object_repr = "test.Thing", "7", "홍길동의 물건"
        made.save()
        other = entry(cx, "create", {"name": [None, "김철수"]})
        other.model, other.object_id = "test.Thing", "8"
        other.save()
    now = timezone.now()
    privacy.withdraw_consent(c, now)
    privacy.erase_now(c, now)
    assert hook == ["7"]
    c.refresh_from_db()
    assert c.erased_at == now and c.withdrawn_at == now and c.subject == "" and c.subject_contact == ""
    made.refresh_from_db()
    assert made.changes == {"name": [None, privacy.ERASED], "phone": [None, privacy.ERASED], "size": [1, 2]}
    assert "홍길동" not in made.object_repr
    other.refresh_from_db()
    assert other.changes == {"name": [None, "김철수"]}  # another record: untouched
    # nor does the consent's own trail keep the person (it was created with them)
    kept = AuditEntry.objects.filter(model="core.Consent", object_id=str(c.pk))
    assert kept.count() >= 2  # created, stripped
    assert not [e.changes for e in kept if "홍길동" in str(e.changes) or "010-1234-5678" in str(e.changes)]
    assert privacy.purge_expired(now + dt.timedelta(days=400)) == {}  # done: the purge skips it


@pytest.mark.django_db
def test_complex_by_id_saves_a_query():
    cx = ComplexFactory()
    c = _consent(complex_id=cx.pk)
    assert Consent.objects.get(pk=c.pk).complex_id == cx.pk and isinstance(Complex.objects.get(pk=cx.pk), Complex)


def test_days_until_is_rounded_up_and_bounded():
    now = timezone.now()
    assert privacy.days_until(now + dt.timedelta(days=3, hours=1), now) == 4
    assert privacy.days_until(now + dt.timedelta(days=3), now) == 3
    assert privacy.days_until(now - dt.timedelta(days=9), now) == 1
    assert privacy.days_until(now + dt.timedelta(days=10_000), now) == privacy.MAX_RETENTION_DAYS
    assert privacy.days_until((now + dt.timedelta(days=2)).date(), now) in (2, 3)


@pytest.mark.django_db
def test_consents_in_bulk_one_per_record_with_a_person():
    from techvalley.core.models import Membership

    user = UserFactory()
    with_person, without = Membership(pk=5, user=user), Membership(pk=6)
    n = privacy.record_consents_in_bulk(
        [with_person, without], purpose_key="test.thing", purpose="시험", items=["user"], retention_days=lambda r: 40
    )
    assert n == 1
    c = Consent.objects.get()
    assert c.user == user and c.record_type == "core.Membership" and c.record_id == "5" and c.obtained == "bulk"
    assert abs((c.expires_at - c.given_at) - dt.timedelta(days=40)) < dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    "value, old",
    [("010-1234-5678", "010-****-5678"), ("051-200-1234", "051-****-1234"), ("12", "***"), ("", "")],
)
def test_one_masking_same_as_the_registrys_old_copy(value, old):
    assert privacy.mask_phone(value) == old
    assert privacy.mask_phone("02-123-4567") == "02-****-4567"  # better: the old copy said "021-"


def test_one_masking_names_and_mails():
    assert privacy.mask_name("홍길동") == "홍*동" and privacy.mask_name("김민") == "김*"
    assert privacy.mask_name("김") == "김*"  # better: the facilities' copy showed a one-letter name whole
    assert privacy.mask_email("kim@example.com") == "k***@example.com"


def test_the_apps_keep_no_masking_of_their_own():
    for module in ("techvalley.registry.validators", "techvalley.facilities.selectors"):
        mod = importlib.import_module(module)
        assert not [n for n in vars(mod) if n.startswith("mask_")], module


def test_the_apps_register_their_personal_data():
    keys = spine.platform.personal_data_by_key
    for key in ("registry.contact", "facilities.booking", "facilities.training"):
        assert keys[key].erase_consented is not None and keys[key].export is not None and keys[key].items, key


@pytest.mark.django_db
def test_how_a_consent_was_obtained_and_who_recorded_it_outlive_the_data_unless_it_was_the_person(hook):
    cx = ComplexFactory()
    person, manager = UserFactory(), UserFactory()
    with acting_as(manager, "test"):
        on_behalf = _consent(complex=cx, user=person, obtained=privacy.Obtained.COMPANY, recorded_by=manager)
        own = _consent(complex=cx, user=person, obtained=privacy.Obtained.SELF, recorded_by=person.pk)
    assert (on_behalf.obtained, on_behalf.recorded_by_id) == ("company", manager.pk)
    assert (own.obtained, own.recorded_by_id) == ("self", person.pk)
    exported = {c["obtained"]: c["recorded_by"] for c in privacy.export_person(person)["consents"]}
    assert exported == {
        str(privacy.Obtained.COMPANY.label): manager.get_username(),
        str(privacy.Obtained.SELF.label): person.get_username(),
    }
    with acting_as(None, "test"):
        privacy.erase_now(on_behalf)
        privacy.erase_now(own)
    on_behalf.refresh_from_db()
    own.refresh_from_db()
    # the manager who recorded it is proof of how it was obtained; the person is erased
    assert on_behalf.recorded_by_id == manager.pk and on_behalf.user_id is None
    assert own.recorded_by_id is None and own.user_id is None and own.obtained == "self"
    trail = AuditEntry.objects.filter(model="core.Consent", object_id=str(own.pk))
    assert all(str(person.pk) not in str(e.changes.get("recorded_by", "")) for e in trail)
    with pytest.raises(privacy.BadInput):
        _consent(complex=cx, user=person, obtained="telepathy")
