import os

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core.audit import acting_as
from techvalley.core.models import AuditEntry
from techvalley.registry import services
from tests.factories import XSS, CompanyFactory


@pytest.mark.django_db
def test_create_update_delete_are_recorded_with_old_and_new(cx, world):
    officer = world["users"]["officer"]
    with acting_as(officer):
        c = CompanyFactory(complex=cx, name="감사테스트")
        services.update_company_profile(c, employees=12, main_products="볼트")
        c.delete()
    entries = list(AuditEntry.objects.filter(object_repr="감사테스트").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[1].changes["employees"] == [None, 12] and entries[1].changes["size_class"] == ["unknown", "small"]
    assert all(e.actor == officer and e.complex_id == cx.pk for e in entries)


@pytest.mark.django_db
def test_web_changes_name_the_signed_in_user(world):
    c = Client()
    c.force_login(world["users"]["manager_a"])
    url = reverse("registry:company_edit", args=[world["a"].pk])
    page = c.get(url)
    assert page.status_code == 200
    form = {"representative": "박대표", "status": "operating", "smart_factory_level": "basic", "employees": "15"}
    assert c.post(url, form).status_code == 302
    e = AuditEntry.objects.filter(object_id=str(world["a"].pk), action="update").latest("id")
    assert e.actor_label == "manager_a" and e.changes["representative"] == ["", "박대표"]


@pytest.mark.django_db
def test_audit_page_escapes_what_it_shows(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    CompanyFactory(complex=world["cx"])
    html = c.get(reverse("core:audit_list")).content.decode()
    assert XSS not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_a_save_that_only_changes_the_type_of_a_number_is_no_change(cx):
    from decimal import Decimal

    from techvalley.core.models import AuditEntry
    from tests.factories import CompanyFactory

    company = CompanyFactory(complex=cx, revenue_million_krw=40)
    before = AuditEntry.objects.count()
    company.revenue_million_krw = Decimal("40.0")
    company.save()
    assert AuditEntry.objects.count() == before
    company.revenue_million_krw = 41
    company.save()
    assert AuditEntry.objects.filter(action="update").latest("id").changes["revenue_million_krw"] == [40, 41]


def test_the_command_lines_actor_is_the_account_even_without_user(monkeypatch):
    """A systemd service sets no USER: the audit names the process's account, not 'unknown'."""
    import pwd

    from techvalley.core.cli import cli_actor
    from techvalley.core.selectors import actor_label

    for name in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    account = pwd.getpwuid(os.getuid()).pw_name
    assert cli_actor() == f"cli:{account}"
    assert "unknown" not in actor_label(cli_actor())
    monkeypatch.setenv("USER", "officer-kim")
    assert cli_actor() == "cli:officer-kim"
