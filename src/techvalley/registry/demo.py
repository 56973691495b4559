"""The demo scenario: the Sinpyeong-Jangnim complex from the real registry, plus seeded estimates.

Everything here is deterministic: estimates are drawn from a generator seeded by each
company's business key, so the same registry gives the same demo on every machine and run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from techvalley.core.audit import acting_as
from techvalley.core.models import Complex, Membership, Organisation
from techvalley.registry import services
from techvalley.registry.models import Company, ConsentGivenBy, Site, SizeClass, size_class_of
from techvalley.registry.parsers import company_key

DEMO_PASSWORD = "techvalley-demo"
WORKERS_IN_COMPLEX = 15_000  # 부산일보 2023-09-24: about 15,000 workers
COMPLEX = {
    "slug": "sinpyeong-jangnim",
    "name": "신평·장림일반산업단지",
    "name_en": "Sinpyeong-Jangnim Industrial Complex (Nakdong Techno Valley)",
    "sigungu": "사하구",
    "legal_dongs": ["장림동", "신평동", "다대동", "구평동"],
    "area_km2": "2.81",
    "founded_year": 1986,
    "center_lon": 128.963,
    "center_lat": 35.078,
    "source_note": "면적 281만㎡·1986년 조성·종사자 약 1만5천명: 부산일보 2023-09-24. "
    "입주기업: 부산광역시 제조업 공장등록현황(2025-12-31) 중 신평·장림·다대·구평동.",
}
ORGANISATIONS = [
    ("사하구청 전략사업과 스마트산업담당", Organisation.Kind.DISTRICT),
    ("사하구청 기획감사실", Organisation.Kind.DISTRICT),
    ("부산경제진흥원", Organisation.Kind.AGENCY),
    ("한국산업단지공단 부산지역본부", Organisation.Kind.AGENCY),
    ("동아대학교 산학협력단", Organisation.Kind.UNIVERSITY),
    ("부산보건대학교", Organisation.Kind.UNIVERSITY),
    ("신평장림 혁신지원센터", Organisation.Kind.SUPPORT_CENTRE),
]
# username, organisation (or the n-th demo company), role
USERS = [
    ("officer", "사하구청 전략사업과 스마트산업담당", Membership.Role.OFFICER),
    ("planner", "사하구청 기획감사실", Membership.Role.PLANNER),
    ("company-manager", 0, Membership.Role.MANAGER),
    ("company-member", 0, Membership.Role.MEMBER),
    ("other-company", 1, Membership.Role.MANAGER),
    ("university", "동아대학교 산학협력단", Membership.Role.MEMBER),
    ("agency", "부산경제진흥원", Membership.Role.MEMBER),
    ("centre", "신평장림 혁신지원센터", Membership.Role.MANAGER),
    ("visitor", None, None),
]
# Median head count by KSIC division where the complex's industries differ from the default.
MEDIAN_EMPLOYEES = {"10": 9, "24": 12, "25": 6, "28": 8, "29": 7, "30": 14, "31": 18, "33": 4}


def demo_file(name: str) -> Path:
    return Path(str(resources.files("techvalley.registry") / "data" / "demo" / name))


def rng_for(key: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def ensure_complex() -> Complex:
    cx, _ = Complex.objects.update_or_create(
        slug=COMPLEX["slug"], defaults={k: v for k, v in COMPLEX.items() if k != "slug"}
    )
    return cx


def apply_coordinates(cx: Complex) -> int:
    """Coordinates from the geocoded registry, matched by company name and dong."""
    doc = json.loads(demo_file("saha_factories_geocoded.json").read_text(encoding="utf-8"))
    coords = {(company_key(name), dong): (lon, lat) for name, dong, _ik, lon, lat in doc["f"]}
    changed = []
    for c in Company.objects.filter(complex=cx, lon__isnull=True).only("id", "name", "legal_dong", "lon", "lat"):
        found = coords.get((company_key(c.name), c.legal_dong))
        if found:
            c.lon, c.lat = found
            changed.append(c)
    Company.objects.bulk_update(changed, ["lon", "lat"], batch_size=2000)
    return len(changed)


def apply_estimates(cx: Complex) -> int:
    """Head counts, founding years, areas and attributes the registry lacks, marked as estimates."""
    companies = list(Company.objects.filter(complex=cx, employees__isnull=True))
    draws = []
    for c in companies:
        r = rng_for(c.registry_key)
        median = MEDIAN_EMPLOYEES.get(c.ksic_code[:2], 7)
        draws.append((c, r, math.exp(math.log(median) + r.gauss(0, 0.9))))
    total_in_db = sum(Company.objects.filter(complex=cx, employees__isnull=False).values_list("employees", flat=True))
    target = max(WORKERS_IN_COMPLEX - total_in_db, len(draws))
    scale = target / max(sum(d for *_, d in draws), 1)
    sites = []
    for c, r, draw in draws:
        c.employees = max(1, round(draw * scale))
        c.size_class = size_class_of(c.employees)
        c.founded_on = dt.date(r.randint(1978, 2023), r.randint(1, 12), 1)
        c.rd_centre = c.tech_intensity in ("high", "medium_high") and r.random() < 0.35 or r.random() < 0.05
        certs = [
            name
            for name, p in (
                ("venture", 0.06),
                ("innobiz", 0.08),
                ("mainbiz", 0.05),
                ("iso9001", 0.25),
                ("root_industry", 0.12),
            )
            if r.random() < p
        ]
        c.certifications = certs
        c.smart_factory_level = r.choices(["none", "basic", "intermediate1", "intermediate2"], weights=[70, 20, 8, 2])[
            0
        ]
        c.status = r.choices(["operating", "suspended"], weights=[97, 3])[0]
        c.estimated_fields = ["employees", "founded_on", "rd_centre", "certifications", "smart_factory_level", "status"]
        land = round(max(150.0, c.employees * r.uniform(60, 140)), 1)
        sites.append(
            Site(
                complex=cx,
                company=c,
                address=c.address,
                land_area_m2=land,
                building_area_m2=round(land * r.uniform(0.45, 0.75), 1),
                estimated=True,
            )
        )
    Company.objects.bulk_update(
        companies,
        [
            "employees",
            "size_class",
            "founded_on",
            "rd_centre",
            "certifications",
            "smart_factory_level",
            "status",
            "estimated_fields",
        ],
        batch_size=1000,
    )
    Site.objects.bulk_create(sites, batch_size=2000)
    return len(companies)


def ensure_people(cx: Complex) -> list[tuple[str, str, str]]:
    """Organisations and one demo user per role; returns (username, password, what they are)."""
    User = get_user_model()
    orgs = {
        name: Organisation.objects.get_or_create(complex=cx, name=name, defaults={"kind": kind})[0]
        for name, kind in ORGANISATIONS
    }
    # The two demo companies: the first operating companies in the metal-working division.
    picks = list(
        Company.objects.filter(complex=cx, ksic_code__startswith="25", in_registry=True).order_by("registry_key")[:2]
    )
    for i, company in enumerate(picks):
        if company.organisation_id is None:
            company.organisation = Organisation.objects.get_or_create(
                complex=cx, name=company.name, defaults={"kind": Organisation.Kind.COMPANY}
            )[0]
            company.save(update_fields=["organisation"])
        if not company.contacts.exists():
            # Fictional people, recorded as an officer would, with the consent that keeps them.
            services.create_contact(
                company,
                {
                    "name": ["김민준", "이서연"][i],
                    "position": "생산관리팀장",
                    "phone": f"051-20{i}-1234",
                    "email": f"contact{i}@example.com",
                },
                None,
                ConsentGivenBy.OFFICER,
                "데모 자료: 가상 인물 / demo data: a fictional person",
                services.CONTACT_RETENTION_DAYS,
            )
        orgs[i] = company.organisation
    logins = []
    for username, org_name, role in USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if org_name is not None and org_name in orgs:
            Membership.objects.get_or_create(user=user, organisation=orgs[org_name], defaults={"role": role})
        what = f"{role} · {orgs[org_name].name}" if org_name is not None and org_name in orgs else "public visitor"
        logins.append((username, DEMO_PASSWORD, what))
    return logins


def load_registry_demo(progress: Callable[[str], None] | None = None) -> dict:
    """The registry part of the demo (call ``techvalley.demo.load_demo`` for the whole scenario)."""
    note = progress or (lambda _msg: None)
    with acting_as(None, "demo"), transaction.atomic():
        cx = ensure_complex()
        note("registry")
        result = services.import_registry(demo_file("saha_factory_registry_2025-12-31.cp949.csv"), cx)
        note("coordinates")
        located = apply_coordinates(cx)
        note("estimates")
        estimated = apply_estimates(cx)
        note("people")
        logins = ensure_people(cx)
    return {
        "complex": cx.slug,
        "import": result.counts,
        "located": located,
        "estimated": estimated,
        "logins": logins,
        "size_classes": dict(SizeClass.choices),
    }
