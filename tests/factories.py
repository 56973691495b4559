"""Factories for tests. Names carry markup on purpose: unescaped output fails a test."""

import factory
from django.contrib.auth import get_user_model

from techvalley.core.models import Complex, Membership, Organisation
from techvalley.registry.models import Company, Contact

XSS = "<script>alert(1)</script>"


class ComplexFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complex
        django_get_or_create = ("slug",)

    slug = "sinpyeong-jangnim"
    name = "신평·장림일반산업단지"
    sigungu = "사하구"
    legal_dongs = ["장림동", "신평동", "다대동", "구평동"]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    complex = factory.SubFactory(ComplexFactory)
    kind = Organisation.Kind.COMPANY
    name = factory.Sequence(lambda n: f"조직 {n} {XSS}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    complex = factory.SubFactory(ComplexFactory)
    name = factory.Sequence(lambda n: f"(주)테스트{n} {XSS}")
    name_key = factory.LazyAttribute(lambda o: o.name)
    registry_key = factory.Sequence(lambda n: f"test-{n}")
    address = "부산광역시 사하구 다산로 203 (다대동)"
    legal_dong = "다대동"
    industry_name = "도금업"
    ksic_code = "25922"
    ksic_revision = 11
    ksic_status = "resolved"
    tech_intensity = "medium_low"
    revenue_million_krw = 4321


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    complex = factory.SelfAttribute("company.complex")
    name = "홍길동"
    position = "대표"
    phone = "010-1234-5678"
    email = "hong@example.com"
