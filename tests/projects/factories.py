"""Factories for plan tracking, in real-world states. Titles carry markup: unescaped output fails."""

from decimal import Decimal

import factory

from techvalley.projects.models import BudgetLine, FuturePlan, ProgressReport, Project, YearTarget
from tests.factories import XSS, ComplexFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A public pledge with a yearly plan to 2026, 30% done, run by the smart-industry team."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    complex = factory.SubFactory(ComplexFactory)
    kind = Project.Kind.PLEDGE
    management_no = factory.Sequence(lambda n: f"9-{n}")
    title = factory.Sequence(lambda n: f"공약 {n} {XSS}")
    department_name = "전략사업과"
    department_team = "스마트산업담당"
    department_contact = "홍길동"
    department_phone = "5021"
    actual_percent = Decimal(30)
    public = True

    class Params:
        internal = factory.Trait(public=False)

    @factory.post_generation
    def plan(self, create, extracted, **kwargs):
        if create and extracted is not False:
            for i, (year, pct) in enumerate(((2024, 20), (2025, 60), (2026, 100))):
                YearTarget.objects.create(project=self, year=year, percent=Decimal(pct), plan=f"{year} 계획", order=i)


class FuturePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FuturePlan

    project = factory.SubFactory(ProjectFactory)
    text = f"다음 단계 {XSS}"
    due = "2025-06"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    year = 2025
    source = "city"
    planned = 1_000_000_000
    secured = 800_000_000
    spent = 200_000_000
    note = f"시비 {XSS}"


class ProgressReportFactory(factory.django.DjangoModelFactory):
    """A draft quarterly report (drafted by nobody in particular, so any planner may approve it)."""

    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    year = 2025
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    percent = Decimal(35)
    summary = f"분기 보고 {XSS}"
    state = ProgressReport.State.DRAFT

    class Params:
        submitted = factory.Trait(state=ProgressReport.State.SUBMITTED)
        approved = factory.Trait(state=ProgressReport.State.APPROVED)
