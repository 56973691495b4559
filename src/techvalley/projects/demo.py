"""The plan part of the demo: the district's real card 3-1, sub-projects with budget lines, a report."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

from django.contrib.auth import get_user_model

from techvalley.core.models import Complex
from techvalley.core.scoping import Viewer
from techvalley.projects import selectors, services
from techvalley.projects.models import Field, ProgressReport, Project

#: The demo loader acts as the platform itself (it sees every pledge).
OPERATOR = Viewer(is_superuser=True, username="demo")


def data_file(name: str) -> Path:
    return Path(str(resources.files("techvalley.projects") / "data" / name))


def load_plan_demo(cx: Complex) -> dict:
    field, _ = Field.objects.get_or_create(complex=cx, name="지역경제·일자리", defaults={"order": 3})
    pledge, created, parsed = services.import_card_file(data_file("cards/saha-3-1.txt"), cx, field=field, publish=True)
    spec = json.loads(data_file("demo_subprojects.json").read_text(encoding="utf-8"))
    if not pledge.children.exists():
        for item in spec["subprojects"]:
            child = services.add_subproject(pledge, item["title"], weight=item["weight"])
            services.set_progress_override(child, Decimal(item["percent"]), "시연용 추정치 / demo estimate")
            services.set_status(child, item["status"])
            for line in item["budget"]:
                services.set_budget_line(
                    child,
                    line["year"],
                    line["source"],
                    planned=line["planned"],
                    secured=line["secured"],
                    spent=line["spent"],
                    note=line["note"],
                )
        # The card's own 40% stays what the pledge shows until the next approved report.
        services.set_progress_override(pledge, Decimal(40), "관리카드 기재값 / as written on the card")
    # The status follows the pledge's own numbers (40% done against a plan of ~98% by late 2026
    # is 일부추진, not 정상추진), as the department would be asked to set it.
    row = next(r for r in selectors.pledge_rows(OPERATOR, cx) if r.project.pk == pledge.pk)
    if row.suggested_status:
        services.set_status(
            pledge, row.suggested_status, "시연: 추진율과 연차별 계획에 따른 상태 / demo: from its numbers"
        )
    green = pledge.children.filter(title="저탄소 그린산단 조성사업").first()
    officer = get_user_model().objects.filter(username="officer").first()
    if green is not None and not ProgressReport.objects.filter(project=green).exists():
        report = services.draft_report(
            green,
            2024,
            2,
            Decimal(55),
            user=officer,
            summary="(시연용 예시 보고 / demo example) 기본 및 실시설계용역 진행 상황 보고.",
            new_achievements=[
                {
                    "heading": "신평·장림산업단지 친환경 스마트 산단 조성",
                    "subheading": "저탄소 그린산단 조성사업",
                    "start": "2024-05",
                    "text": "기본 및 실시설계용역 중간보고회 개최 (시연용)",
                }
            ],
        )
        services.submit_report(report, officer)
    return {
        "pledge": pledge.management_no,
        "created": created,
        "unplaced": len(parsed.unplaced),
        "subprojects": Project.objects.filter(parent=pledge).count(),
    }
