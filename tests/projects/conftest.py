import pytest

from techvalley.core.models import Membership, Organisation
from techvalley.projects import services
from techvalley.projects.demo import data_file
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def pledge(cx):
    project, _, _ = services.import_card_file(data_file("cards/saha-3-1.txt"), cx, publish=True)
    return project


@pytest.fixture
def planner(world):
    office = OrganisationFactory(complex=world["cx"], name="기획감사실", kind=Organisation.Kind.DISTRICT)
    return MembershipFactory(
        organisation=office, role=Membership.Role.PLANNER, user=UserFactory(username="planner")
    ).user
