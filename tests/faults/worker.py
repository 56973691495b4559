"""The work the fault tests kill: ``python -m tests.faults.worker COMMAND [options]``.

Commands: ``setup`` (base data, once per test session), ``registry``, ``energy`` (the real CLI,
in this process), ``bookings`` (a burst through the booking service), ``surveys`` (a burst of
submissions through the survey service) and ``state`` (what is stored, as JSON).

The worker prints ``ready`` once Django is set up, then works, then prints ``done {json}`` with
the number of database writes it made. ``--kill-at-write K`` makes it kill itself (SIGKILL, no
clean-up of any kind) just before its K-th INSERT/UPDATE/DELETE reaches the database — a crash
at an exact point of the work; the tests also kill it from outside at a random moment.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import signal
import sys
from pathlib import Path

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
REGISTRY_ROWS = 2000
REGISTRY_COMPLEX = "fault-registry"
ENERGY_COMPLEX = "fault-energy"
MAIN_COMPLEX = "fault-main"
OFFICER_EMAIL = "officer@fault.example"
#: The burst: one-hour slots on three days, and a four-week series.
SLOT_DAYS = [dt.date(2030, 3, 4), dt.date(2030, 3, 5), dt.date(2030, 3, 6)]
SLOT_HOURS = range(9, 17)
SERIES_START = (dt.date(2030, 4, 1), 10)
SERIES_WEEKS = 4
SURVEY_COMPANIES = 30
#: The process's write counter; units of work note its value when each one ends ("marks").
COUNTER = None


class WriteCounter:
    """An execute wrapper: counts the statements that write, and dies before the K-th."""

    def __init__(self, kill_at: int | None):
        self.kill_at = kill_at
        self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITE_VERBS):
            self.writes += 1
            if self.kill_at is not None and self.writes >= self.kill_at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        return execute(sql, params, many, context)


def _setup_django(kill_at: int | None) -> WriteCounter:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    import django

    django.setup()
    from django.db import connections

    global COUNTER
    counter = COUNTER = WriteCounter(kill_at)
    connections["default"].execute_wrappers.append(counter)
    return counter


# --- base data ------------------------------------------------------------------------------


def setup(args) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from techvalley.core.audit import acting_as
    from techvalley.core.models import Complex, Membership, Organisation
    from techvalley.facilities.models import Centre, Resource
    from techvalley.surveys import services as surveys
    from techvalley.surveys.models import SurveyStatus
    from tests.factories import CompanyFactory, UserFactory

    with acting_as(None, "fault-setup"):
        main = Complex.objects.create(slug=MAIN_COMPLEX, name="신평·장림 (fault)")
        Complex.objects.create(slug=REGISTRY_COMPLEX, name="부산 (fault registry)")
        Complex.objects.create(slug=ENERGY_COMPLEX, name="에너지 (fault energy)")
        district = Organisation.objects.create(complex=main, kind="district", name="사하구청")
        officer = UserFactory(username="officer", email=OFFICER_EMAIL)
        Membership.objects.create(user=officer, organisation=district, role="officer")
        companies = []
        for i in range(SURVEY_COMPANIES):
            org = Organisation.objects.create(complex=main, kind="company", name=f"회사{i:02d}")
            companies.append(CompanyFactory(complex=main, organisation=org, name=f"금속{i:02d}"))
        centre = Centre.objects.create(
            complex=main, operator=district, name="혁신지원센터", email="centre@fault.example"
        )
        Resource.objects.create(complex=main, centre=centre, kind="meeting", name="회의실 1", fee_tenant=10000)
        for slug, anonymous in (("fault-named", False), ("fault-anon", True)):
            survey = surveys.create_survey(main, slug, template="demand", anonymous=anonymous)
            surveys.set_status(survey, SurveyStatus.OPEN)
            surveys.invite_companies(survey)
    registry_file(Path(args.out) / "registry.csv")
    return {"companies": len(companies)}


def registry_file(path: Path, n: int = REGISTRY_ROWS) -> None:
    """n rows in the Busan registry's layout (CP949), made from the real Saha-gu rows."""
    from techvalley.registry.demo import demo_file

    with open(demo_file("saha_factory_registry_2025-12-31.cp949.csv"), encoding="cp949", newline="") as f:
        rows = list(csv.DictReader(f))
    rng = random.Random(7)
    with open(path, "w", encoding="cp949", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["순번", "회사명", "공장대표주소", "업종명", "전화번호"])
        for i in range(n):
            r = rows[rng.randrange(len(rows))]
            addr = r["공장대표주소"].split("(")[0].strip().rstrip(",")
            w.writerow([i + 1, f"{r['회사명']} {i}", f"{addr} {i}번지 (장림동)", r["업종명"], "051-200-1234"])


# --- the work -------------------------------------------------------------------------------


def run_cli(argv: list[str]) -> dict:
    from techvalley.cli import main

    sys.argv = ["techvalley", *argv]
    try:
        main()
    except SystemExit as exc:
        return {"exit": exc.code or 0}
    return {"exit": 0}


def slots() -> list[tuple[dt.datetime, dt.datetime, str]]:
    from zoneinfo import ZoneInfo

    kst = ZoneInfo("Asia/Seoul")
    out = []
    for day in SLOT_DAYS:
        for hour in SLOT_HOURS:
            start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=kst)
            out.append((start, start + dt.timedelta(hours=1), f"burst {day:%m%d}-{hour:02d}"))
    return out


def bookings(args) -> dict:
    from django.contrib.auth import get_user_model

    from techvalley.core.audit import acting_as
    from techvalley.core.models import Organisation
    from techvalley.facilities import services
    from techvalley.facilities.models import Booking, Resource

    officer = get_user_model().objects.get(username="officer")
    room = Resource.objects.get(name="회의실 1")
    orgs = list(Organisation.objects.filter(kind="company").order_by("name").values_list("id", flat=True))
    plan = slots()
    random.Random(args.seed).shuffle(plan)
    made = taken = 0
    with acting_as(officer, "officer"):
        for i, (start, end, purpose) in enumerate(plan):
            try:
                services.book(
                    officer,
                    room,
                    start,
                    end,
                    purpose,
                    organisation_id=orgs[i % len(orgs)],
                    override_reason="fault test",
                )
                made += 1
            except services.SlotTaken:
                taken += 1
        day, hour = SERIES_START
        start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=slots()[0][0].tzinfo)
        if not Booking.objects.filter(resource=room, purpose="series").exists():
            try:
                services.book_series(
                    officer,
                    room,
                    start,
                    start + dt.timedelta(hours=2),
                    "series",
                    weeks=SERIES_WEEKS,
                    organisation_id=orgs[0],
                    override_reason="fault test",
                )
                made += SERIES_WEEKS
            except services.SlotTaken:
                taken += SERIES_WEEKS
    return {"made": made, "taken": taken}


def answers_for(index: int) -> dict:
    from tests.surveys.conftest import VALID

    return {**VALID, "employees": str(10 + index), "difficulty_detail": f"회사 {index}: 전기요금 부담"}


def surveys(args) -> dict:
    from techvalley.core.validation import BadInput
    from techvalley.surveys import services
    from techvalley.surveys.models import Invitation

    sent = skipped = 0
    marks = []
    invitations = list(
        Invitation.objects.filter(survey__slug__in=["fault-named", "fault-anon"])
        .select_related("survey", "company")
        .order_by("id")
    )
    random.Random(args.seed).shuffle(invitations)
    for inv in invitations:
        if inv.survey.anonymous and inv.answered_at is not None:
            skipped += 1
            continue
        try:
            services.submit_response(inv, answers_for(int(inv.company.name[-2:])))
            sent += 1
        except BadInput as exc:
            if exc.status != 409:
                raise
            skipped += 1
        marks.append(COUNTER.writes)
    return {"sent": sent, "skipped": skipped, "marks": marks}


# --- what is stored -------------------------------------------------------------------------


def state(args) -> dict:
    from django.db.models import Count

    from techvalley.core.models import AuditEntry, Complex
    from techvalley.facilities.models import LIVE, Booking, OutboxMessage
    from techvalley.green.models import IngestLog, Meter
    from techvalley.green.services import lake_for
    from techvalley.registry.models import Company, ImportRun
    from techvalley.surveys.models import Invitation, Response

    reg = Complex.objects.get(slug=REGISTRY_COMPLEX)
    energy = Complex.objects.get(slug=ENERGY_COMPLEX)
    lake = lake_for(energy)
    manifest = lake.manifest()
    listed = {f["path"] for f in manifest["files"] + manifest["rollups"]}
    on_disk = [
        str(p.relative_to(lake.root))
        for sub in ("readings", "rollups")
        for p in (lake.root / sub).rglob("*.parquet")
        if (lake.root / sub).exists()
    ]
    live = Booking.objects.filter(status__in=LIVE).order_by("resource_id", "start")
    overlaps = 0
    previous = None
    for b in live:
        if previous is not None and b.resource_id == previous.resource_id and b.start < previous.end:
            overlaps += 1
        previous = b
    bodies = "\n".join(OutboxMessage.objects.filter(to=OFFICER_EMAIL).values_list("body", flat=True))
    booking_ids = [str(i) for i in Booking.objects.values_list("id", flat=True)]
    audited_bookings = set(
        AuditEntry.objects.filter(model="facilities.Booking", action="create").values_list("object_id", flat=True)
    )
    named = Invitation.objects.filter(survey__slug="fault-named")
    anon = Invitation.objects.filter(survey__slug="fault-anon")
    responses = Response.objects.filter(survey__slug="fault-named").select_related("company")
    wrong_answers = [r.company.name for r in responses if r.answers != _clean(r.survey, r.company.name)]
    return {
        "registry": {
            "companies": Company.objects.filter(complex=reg).count(),
            "runs": ImportRun.objects.filter(complex=reg).count(),
            "audit": AuditEntry.objects.filter(model="registry.Company", complex=reg).count(),
        },
        "energy": {
            "meters": Meter.objects.filter(complex=energy).count(),
            "companies": Company.objects.filter(complex=energy).count(),
            "logs": IngestLog.objects.filter(complex=energy).count(),
            "rows": sum(f.get("rows", 0) for f in manifest["files"]),
            "batches": len(manifest["batches"]),
            "unlisted_files": sorted(set(on_disk) - listed),
            "missing_files": sorted(p for p in listed if not (lake.root / p).exists()),
            "staging": (lake.root / "_staging").exists() and any((lake.root / "_staging").iterdir()),
        },
        "bookings": {
            "count": Booking.objects.count(),
            "purposes": sorted(Booking.objects.values_list("purpose", flat=True)),
            "overlaps": overlaps,
            "without_message": sorted(
                p for p in Booking.objects.values_list("purpose", flat=True).distinct() if p not in bodies
            ),
            "messages": OutboxMessage.objects.filter(to=OFFICER_EMAIL).count(),
            "without_audit": sorted(set(booking_ids) - audited_bookings),
            "series": Booking.objects.filter(purpose="series").count(),
        },
        "surveys": {
            "named_responses": responses.count(),
            "named_answered": named.filter(answered_at__isnull=False).count(),
            "named_per_company_max": max(
                [
                    r["n"]
                    for r in Response.objects.filter(survey__slug="fault-named")
                    .values("company")
                    .annotate(n=Count("id"))
                ]
                or [0]
            ),
            "named_wrong_answers": wrong_answers,
            "anon_responses": Response.objects.filter(survey__slug="fault-anon").count(),
            "anon_answered": anon.filter(answered_at__isnull=False).count(),
            "invitations": named.count() + anon.count(),
        },
    }


def _clean(survey, company_name: str) -> dict:
    from techvalley.surveys import questions as q
    from techvalley.surveys.services import specs_of

    answers, errors = q.clean_answers(specs_of(survey), answers_for(int(company_name[-2:])))
    assert not errors, errors
    return answers


COMMANDS = {"setup": setup, "bookings": bookings, "surveys": surveys, "state": state}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=[*COMMANDS, "registry", "energy"])
    ap.add_argument("--kill-at-write", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=".")
    ap.add_argument("--file", default="")
    args = ap.parse_args()
    counter = _setup_django(args.kill_at_write)
    print("ready", flush=True)
    if args.command == "registry":
        result = run_cli(["registry", "import", args.file, "--complex", REGISTRY_COMPLEX, "--json"])
    elif args.command == "energy":
        result = run_cli(["green", "ingest", args.file, "--complex", ENERGY_COMPLEX, "--json"])
    else:
        from techvalley.core.audit import acting_as

        with acting_as(None, f"fault-{args.command}"):
            result = COMMANDS[args.command](args)
    result["writes"] = counter.writes
    print("done " + json.dumps(result, ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main()
