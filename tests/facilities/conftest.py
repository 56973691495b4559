import datetime as dt

import pytest
from django.utils import timezone

from techvalley.core.models import Membership, Organisation
from techvalley.facilities.models import Centre, Resource
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

XSS = "<script>alert(1)</script>"
SEOUL = timezone.get_default_timezone()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), SEOUL)


def next_workday(after_days: int = 3) -> dt.date:
    """A working day (no weekend, no Korean public holiday) a few days ahead."""
    from techvalley.facilities.services import holiday_name

    day = timezone.localdate() + dt.timedelta(days=after_days)
    while day.weekday() >= 5 or holiday_name(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def centre(world):
    operator = OrganisationFactory(
        complex=world["cx"], name=f"부산경제진흥원 {XSS}", kind=Organisation.Kind.SUPPORT_CENTRE
    )
    staff = MembershipFactory(
        organisation=operator, role=Membership.Role.MANAGER, user=UserFactory(username="centre_staff")
    ).user
    world["users"]["centre_staff"] = staff
    return Centre.objects.create(
        complex=world["cx"], operator=operator, name=f"신평장림 혁신지원센터 {XSS}", email="centre@example.com"
    )


@pytest.fixture
def room(world, centre):
    return Resource.objects.create(
        complex=world["cx"],
        centre=centre,
        kind="meeting",
        name=f"회의실 1 {XSS}",
        fee_tenant=10_000,
        fee_university=15_000,
        fee_outside=30_000,
    )


@pytest.fixture
def day():
    return next_workday()
