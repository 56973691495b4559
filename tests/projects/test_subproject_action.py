"""The action ``projects.subproject``: plan tracking makes a sub-project when another app asks (a
survey's candidate promoted by an officer) — through its services, validated and audited."""

import pytest
from django.core.exceptions import PermissionDenied

from techvalley.core import spine
from techvalley.core.models import AuditEntry
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.projects import services
from techvalley.projects.models import CardVersion, Project
from tests.factories import ComplexFactory

pytestmark = pytest.mark.django_db


def action():
    return spine.platform.actions["projects.subproject"]


def test_officers_are_offered_the_action(world):
    assert spine.platform.action_for("projects.subproject", viewer_for(world["users"]["officer"])) is not None
    for role in ("anonymous", "visitor", "member_a", "manager_a", "university"):
        assert spine.platform.action_for("projects.subproject", viewer_for(world["users"][role])) is None, role


def test_run_creates_the_sub_project_under_the_chosen_heading(world, pledge):
    officer = viewer_for(world["users"]["officer"])
    sub = action().run(
        officer,
        world["cx"],
        parent=str(pledge.pk),
        title="  에너지 비용 절감 지원사업 ",
        description="고효율 설비 교체 지원\n\n에너지 진단",
        budget_krw=150_000_000,
        reason="수요조사 후보에서",
    )
    assert isinstance(sub, Project) and sub.parent_id == pledge.pk and sub.kind == "subproject"
    assert sub.title == "에너지 비용 절감 지원사업" and sub.overview == ["고효율 설비 교체 지원", "에너지 진단"]
    assert sub.budget_amount_krw == 150_000_000 and sub.budget_text == "150백만원"
    assert sub.department_name == pledge.department_name and sub.complex_id == world["cx"].pk
    assert AuditEntry.objects.filter(model="projects.Project", object_id=str(sub.pk), action="create").exists()
    assert CardVersion.objects.filter(project=sub).count() == 1
    # a sub-project under the sub-project; no budget given stays empty
    deeper = action().run(officer, world["cx"], parent=sub.pk, title="세부 과제")
    assert deeper.parent_id == sub.pk and deeper.budget_amount_krw is None and deeper.budget_text == ""
    assert services.card_of(pledge)["management_no"] == "3-1"  # the pledge itself is untouched


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "가\x00나"}, "title"),
        ({"title": "가" * 301}, "title"),
        ({"budget_krw": -1}, "budget_krw"),
        ({"budget_krw": "1억"}, "budget_krw"),
        ({"budget_krw": 2**63}, "budget_krw"),
        ({"description": "설명" * 3000}, "description"),
        ({"parent": "abc"}, "parent"),
        ({"parent": 0}, "parent"),
        ({"parent": 10**9}, "parent"),
    ],
)
def test_bad_input_is_refused_with_the_field(world, pledge, payload, field):
    before = Project.objects.count()
    with pytest.raises(BadInput) as exc:
        action().run(
            viewer_for(world["users"]["officer"]), world["cx"], **{"parent": pledge.pk, "title": "사업", **payload}
        )
    assert exc.value.field == field and Project.objects.count() == before


def test_no_sub_project_under_a_task_or_in_another_complex(world, pledge):
    officer = viewer_for(world["users"]["officer"])
    task = services.add_subproject(pledge, "착수보고회", kind=Project.Kind.TASK)
    with pytest.raises(BadInput, match="과제"):
        action().run(officer, world["cx"], parent=task.pk, title="사업")
    elsewhere = ComplexFactory(slug="elsewhere")
    with pytest.raises(BadInput):  # the heading is not one of this complex's
        action().run(officer, elsewhere, parent=pledge.pk, title="사업")


def test_only_the_complexs_officers_may_run_it(world, pledge):
    for role in ("member_a", "university", "other_officer", "anonymous"):
        with pytest.raises(PermissionDenied):
            action().run(viewer_for(world["users"][role]), world["cx"], parent=pledge.pk, title="사업")
    # a user (not a viewer) is accepted as the actor too
    assert action().run(world["users"]["officer"], world["cx"], parent=pledge.pk, title="사업").pk
