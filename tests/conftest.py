import pytest

from techvalley.core.models import Membership, Organisation
from tests.factories import (
    XSS,
    CompanyFactory,
    ComplexFactory,
    ContactFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture
def cx(db):
    return ComplexFactory()


@pytest.fixture
def world(cx):
    """Two companies with members, an officer, a university member, an outside officer, a visitor."""
    other_cx = ComplexFactory(slug="noksan", name=f"녹산국가산업단지 {XSS}", legal_dongs=["송정동"])
    org_a = OrganisationFactory(complex=cx, name=f"회사A {XSS}")
    org_b = OrganisationFactory(complex=cx, name=f"회사B {XSS}")
    district = OrganisationFactory(complex=cx, name=f"사하구청 {XSS}", kind=Organisation.Kind.DISTRICT)
    other_district = OrganisationFactory(complex=other_cx, name=f"강서구청 {XSS}", kind=Organisation.Kind.DISTRICT)
    uni = OrganisationFactory(complex=cx, name=f"동아대 {XSS}", kind=Organisation.Kind.UNIVERSITY)
    company_a = CompanyFactory(complex=cx, organisation=org_a, name=f"에이금속 {XSS}")
    company_b = CompanyFactory(complex=cx, organisation=org_b, name=f"비정밀 {XSS}")
    ContactFactory(company=company_a, name="김민준", phone="010-1111-2222", email="a@example.com")
    ContactFactory(company=company_b, name="이서연", phone="010-3333-4444", email="b@example.com")
    users = {
        "anonymous": None,
        "visitor": UserFactory(username="visitor"),
        "member_a": MembershipFactory(
            organisation=org_a, role=Membership.Role.MEMBER, user=UserFactory(username="member_a")
        ).user,
        "manager_a": MembershipFactory(
            organisation=org_a, role=Membership.Role.MANAGER, user=UserFactory(username="manager_a")
        ).user,
        "manager_b": MembershipFactory(
            organisation=org_b, role=Membership.Role.MANAGER, user=UserFactory(username="manager_b")
        ).user,
        "university": MembershipFactory(organisation=uni, user=UserFactory(username="university")).user,
        "officer": MembershipFactory(
            organisation=district, role=Membership.Role.OFFICER, user=UserFactory(username="officer")
        ).user,
        "other_officer": MembershipFactory(
            organisation=other_district, role=Membership.Role.OFFICER, user=UserFactory(username="other_officer")
        ).user,
    }
    return {"cx": cx, "a": company_a, "b": company_b, "users": users}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
