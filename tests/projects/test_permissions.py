"""Plan tracking's permission predicates, the selectors that take the viewer, and its menu entries."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.projects import permissions, selectors
from tests.projects.factories import ProgressReportFactory, ProjectFactory


@pytest.fixture
def plan(world, planner):
    cx = world["cx"]
    public = ProjectFactory(complex=cx)
    internal = ProjectFactory(complex=cx, internal=True)
    report = ProgressReportFactory(project=public)
    return {"public": public, "internal": internal, "report": report, "planner": planner}


def _viewer(world, role, plan=None):
    user = plan["planner"] if role == "planner" else world["users"][role]
    return viewer_for(user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, officer, approves",
    [
        ("anonymous", False, False),
        ("visitor", False, False),
        ("member_a", False, False),
        ("manager_a", False, False),
        ("university", False, False),
        ("other_officer", False, False),
        ("officer", True, False),
        ("planner", True, True),
    ],
)
def test_predicates_by_role(world, plan, role, officer, approves):
    v = _viewer(world, role, plan)
    public, internal, report = plan["public"], plan["internal"], plan["report"]
    assert permissions.can_view_pledge(v, public)
    assert permissions.can_view_pledge(v, internal) is officer
    for predicate in (
        permissions.can_view_internal_card,
        permissions.can_edit_project,
        permissions.can_publish_project,
        permissions.can_draft_report,
    ):
        assert predicate(v, public) is officer, predicate.__name__
    assert permissions.can_view_plan(v, world["cx"]) is officer
    assert permissions.can_view_report(v, report) is officer
    assert permissions.can_upload_evidence(v, report) is officer
    assert permissions.can_approve_report(v, report) is approves
    assert permissions.can_link_records(v, public) is officer


@pytest.mark.django_db
def test_evidence_only_while_the_report_is_open(world, plan):
    v = _viewer(world, "officer", plan)
    report = plan["report"]
    report.state = report.State.SUBMITTED
    assert not permissions.can_upload_evidence(v, report)
    report.state = report.State.RETURNED
    assert permissions.can_upload_evidence(v, report)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member_a", "university", "other_officer", "officer"])
def test_pledge_rows_take_the_viewer(world, plan, role):
    ids = {r.project.pk for r in selectors.pledge_rows(_viewer(world, role, plan), world["cx"])}
    assert plan["public"].pk in ids
    assert (plan["internal"].pk in ids) is (role == "officer")
    public_only = selectors.pledge_rows(_viewer(world, role, plan), world["cx"], public_only=True)
    assert plan["internal"].pk not in {r.project.pk for r in public_only}


@pytest.mark.django_db
def test_project_tree_hides_internal_sub_projects_from_the_public(world, plan):
    child = ProjectFactory(complex=world["cx"], parent=plan["public"], kind="subproject", internal=True, plan=False)
    anonymous = _viewer(world, "anonymous")
    officer = _viewer(world, "officer")
    assert child.pk not in [p.pk for _, p, _ in selectors.project_tree(anonymous, plan["public"])]
    assert child.pk in [p.pk for _, p, _ in selectors.project_tree(officer, plan["public"])]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "visitor", "member_a", "university", "other_officer", "officer"])
def test_menu_shows_plan_entries_only_to_who_can_open_them(world, plan, role):
    """No menu entry leads to a 403: an officer of another complex does not see the plan dashboard."""
    v = _viewer(world, role)
    officer_menu = {e.url_name for e in spine.platform.menu(v, "officer")}
    for name in ("projects:dashboard", "projects:report_list"):
        assert (name in officer_menu) is (role == "officer")
        if name in officer_menu:
            c = Client()
            c.force_login(world["users"][role])
            assert c.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_card_page_shows_only_the_actions_the_viewer_may_take(world, plan):
    c = Client()
    c.force_login(world["users"]["officer"])
    html = c.get(reverse("projects:card_page", args=[plan["public"].pk])).content.decode()
    assert reverse("projects:project_edit", args=[plan["public"].pk]) in html
    detail = c.get(reverse("projects:report_detail", args=[plan["report"].pk])).content.decode()
    assert "approve-report" not in detail  # an officer who is not the planning office


@pytest.mark.django_db
def test_panels_for_the_complex_and_the_officer(world, plan):
    officer = _viewer(world, "officer")
    complex_panels = dict(
        (p.key, figures)
        for p, figures in spine.platform.panels_for(_viewer(world, "anonymous"), world["cx"], "complex")
    )
    figures = complex_panels["plan_progress"]
    assert [f.key for f in figures] == [f"pledge-{plan['public'].pk}"]  # the internal pledge is not shown
    assert figures[0].source and figures[0].as_of and figures[0].url and figures[0].unit == "%"
    assert "plan_todo" not in {
        p.key for p, _ in spine.platform.panels_for(_viewer(world, "member_a"), world["cx"], "officer")
    }
    todo = dict((p.key, f) for p, f in spine.platform.panels_for(officer, world["cx"], "officer"))["plan_todo"]
    assert {f.key for f in todo} == {"pledges-behind", "reports-waiting"}
    assert all(f.url for f in todo)
