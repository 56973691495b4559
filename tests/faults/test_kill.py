"""kill -9 in the middle of the work: a registry import, an energy ingest, a booking burst and a
survey submission burst. After each kill nothing partial may remain, and the next run succeeds.

Each scenario first runs the work once, uninterrupted, on a site of its own: that run says how
many database writes the work makes (W) and how long it takes (T). Then, each on a fresh site:

* kills at exact points: the worker kills itself just before its K-th write — for work made of
  units (a booking, a submission), before every write of one unit picked at random in the middle
  of the run; for one-transaction work, at random writes and at the last;
* a kill from outside at a random moment of the work (uniform over 5–95 % of T), with two
  workers at once for the bursts.

Runs on SQLite, and on PostgreSQL when DATABASE_URL is set (each site a database of its own).
The seed is printed; TECHVALLEY_FAULT_SEED repeats a run.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.faults.worker import REGISTRY_ROWS, SERIES_WEEKS, SLOT_DAYS, SLOT_HOURS, SURVEY_COMPANIES

SEED = int(os.environ.get("TECHVALLEY_FAULT_SEED", random.SystemRandom().randrange(1_000_000)))
BURST_BOOKINGS = len(SLOT_DAYS) * len(SLOT_HOURS) + SERIES_WEEKS


@pytest.fixture
def rng(request):
    print(f"fault seed {SEED} ({request.node.name})")
    return random.Random(f"{SEED}-{request.node.name}")


_CALIBRATED: dict[str, tuple] = {}


def calibrate(make_site, command: str):
    """The uninterrupted run (once per scenario and session): its run and the state it leaves."""
    if command not in _CALIBRATED:
        site = make_site()
        run = site.run(command)
        assert run.returncode == 0 and run.result is not None, run.output
        _CALIBRATED[command] = (run, site.state())
    return _CALIBRATED[command]


def marked_unit_points(marks: list[int], rng) -> list[int]:
    """Every write of one unit of work in the middle of the run, from the writes counted when
    each unit ended (units may differ in size: a named and an anonymous survey response do)."""
    j = rng.randrange(len(marks) // 4, 3 * len(marks) // 4)
    return list(range(marks[j - 1] + 1, marks[j] + 1))


def unit_points(writes: int, units: int, rng) -> list[int]:
    """Every write of one unit of work (a booking, a submission) in the middle of the run."""
    per_unit = writes // units
    assert per_unit * units == writes, f"{writes} writes are not {units} units of the same size"
    j = rng.randrange(units // 4, 3 * units // 4)
    return [j * per_unit + i for i in range(1, per_unit + 1)]


def transaction_points(writes: int, rng) -> list[int]:
    """All writes when few, else two at random and the last (just before the commit)."""
    if writes <= 4:
        return list(range(1, writes + 1))
    return sorted(rng.sample(range(1, writes), 2)) + [writes]


def kill_at_points(make_site, command: str, points: list[int], check) -> None:
    for k in points:
        site = make_site()
        run = site.run(command, kill_at_write=k)
        assert run.killed and run.result is None, f"not killed at write {k}: {run.output}"
        check(site.state(), f"killed before write {k}")


def kill_from_outside(site, command: str, seconds: float, rng, workers: int = 1) -> list:
    """Start ``workers`` at once; kill each at its own random moment of the work (if still working)."""
    started = [site.start(_worker_args(site, command, seed=100 + w)) for w in range(workers)]
    return [site.finish(p, kill_after=rng.uniform(0.05, 0.95) * seconds) for p in started]


def _worker_args(site, command: str, seed: int) -> list[str]:
    import sys

    args = [sys.executable, "-m", "tests.faults.worker", command, "--seed", str(seed), "--out", str(site.files)]
    if command == "registry":
        args += ["--file", str(site.files / "registry.csv")]
    if command == "energy":
        args += ["--file", str(site.files / "energy")]
    return args


# --- registry import --------------------------------------------------------------------------


def check_registry(state: dict, when: str) -> None:
    r = state["registry"]
    assert r["companies"] in (0, REGISTRY_ROWS), f"{when}: a partial import: {r}"
    assert r["audit"] == r["companies"], f"{when}: companies and their audit entries differ: {r}"
    assert (r["runs"] > 0) == (r["companies"] > 0), f"{when}: an import run without its companies: {r}"


def test_kill_at_exact_writes_of_a_registry_import(make_site, rng):
    calib, _ = calibrate(make_site, "registry")
    kill_at_points(make_site, "registry", transaction_points(calib.result["writes"], rng), check_registry)


def test_kill_during_registry_import_then_the_next_run_succeeds(make_site, rng):
    calib, _ = calibrate(make_site, "registry")
    site = make_site()
    (run,) = kill_from_outside(site, "registry", calib.seconds, rng)
    check_registry(site.state(), f"killed from outside after {run.seconds:.2f} s")
    again = site.run("registry")
    assert again.returncode == 0 and again.result["exit"] == 0, again.output
    final = site.state()["registry"]
    assert final["companies"] == REGISTRY_ROWS and final["audit"] == REGISTRY_ROWS and final["runs"] >= 1


# --- energy ingest ---------------------------------------------------------------------------


def energy_checker(meters: int, rows: int):
    def check(state: dict, when: str) -> None:
        e = state["energy"]
        assert e["missing_files"] == [], f"{when}: the manifest lists files that are not there: {e}"
        assert e["rows"] in (0, rows), f"{when}: part of the readings is visible: {e}"
        assert e["meters"] in (0, meters), f"{when}: part of the meters is registered: {e}"
        assert (e["meters"] > 0) == (e["rows"] > 0), f"{when}: meters and readings disagree: {e}"
        assert e["logs"] == e["batches"], f"{when}: a published batch without its ingest log: {e}"

    return check


def test_kill_at_exact_writes_of_an_energy_ingest(make_site, rng):
    calib, state = calibrate(make_site, "energy")
    done = state["energy"]
    assert done["rows"] > 0 and done["meters"] > 0
    check = energy_checker(done["meters"], done["rows"])
    kill_at_points(make_site, "energy", transaction_points(calib.result["writes"], rng), check)


def test_kill_during_energy_ingest_then_the_next_run_succeeds(make_site, rng):
    calib, state = calibrate(make_site, "energy")
    done = state["energy"]
    check = energy_checker(done["meters"], done["rows"])
    site = make_site()
    (run,) = kill_from_outside(site, "energy", calib.seconds, rng)
    check(site.state(), f"killed from outside after {run.seconds:.2f} s")
    again = site.run("energy")
    assert again.returncode == 0 and again.result["exit"] == 0, again.output
    compacted = site.cli("green", "compact", "--complex", "fault-energy")
    assert compacted.returncode == 0, compacted.stdout + compacted.stderr
    final = site.state()["energy"]
    assert final["rows"] == done["rows"] and final["meters"] == done["meters"] and final["logs"] >= 1
    assert final["unlisted_files"] == [] and not final["staging"], final  # the crash's leftovers are swept


# --- booking burst ---------------------------------------------------------------------------


def check_bookings(state: dict, when: str) -> None:
    b = state["bookings"]
    assert b["overlaps"] == 0, f"{when}: a double booking: {b}"
    assert b["without_message"] == [], f"{when}: bookings without their confirmation message: {b}"
    assert b["without_audit"] == [], f"{when}: bookings without their audit entry: {b}"
    assert b["series"] in (0, SERIES_WEEKS), f"{when}: part of a recurring series: {b}"
    burst = [p for p in b["purposes"] if p != "series"]
    assert len(burst) == len(set(burst)), f"{when}: a slot booked twice: {b}"


def test_kill_at_exact_writes_of_a_booking_burst(make_site, rng):
    calib, _ = calibrate(make_site, "bookings")
    assert calib.result["made"] == BURST_BOOKINGS
    kill_at_points(make_site, "bookings", unit_points(calib.result["writes"], BURST_BOOKINGS, rng), check_bookings)


def test_kill_during_booking_burst_then_the_next_run_succeeds(make_site, rng):
    calib, _ = calibrate(make_site, "bookings")
    site = make_site()
    runs = kill_from_outside(site, "bookings", calib.seconds, rng, workers=2)
    check_bookings(site.state(), "two workers killed from outside at " + ", ".join(f"{r.seconds:.2f} s" for r in runs))
    again = site.run("bookings", seed=7)
    assert again.returncode == 0 and again.result is not None, again.output
    state = site.state()
    check_bookings(state, "after the next run")
    final = state["bookings"]
    assert final["count"] == BURST_BOOKINGS and final["messages"] == BURST_BOOKINGS, final


# --- survey submissions ----------------------------------------------------------------------


def check_surveys(state: dict, when: str) -> None:
    s = state["surveys"]
    assert s["named_per_company_max"] <= 1, f"{when}: two responses of one company: {s}"
    assert s["named_responses"] == s["named_answered"], f"{when}: responses and answered invitations differ: {s}"
    assert s["named_wrong_answers"] == [], f"{when}: a response with other answers than were sent: {s}"
    assert s["anon_responses"] == s["anon_answered"], f"{when}: anonymous responses and invitations differ: {s}"


def test_kill_at_exact_writes_of_survey_submissions(make_site, rng):
    calib, _ = calibrate(make_site, "surveys")
    units = 2 * SURVEY_COMPANIES
    assert calib.result["sent"] == units and len(calib.result["marks"]) == units
    points = marked_unit_points(calib.result["marks"], rng)
    assert points, calib.result["marks"]
    kill_at_points(make_site, "surveys", points, check_surveys)


def test_kill_during_survey_submissions_then_the_next_run_succeeds(make_site, rng):
    calib, _ = calibrate(make_site, "surveys")
    site = make_site()
    runs = kill_from_outside(site, "surveys", calib.seconds, rng, workers=2)
    check_surveys(site.state(), "two workers killed from outside at " + ", ".join(f"{r.seconds:.2f} s" for r in runs))
    again = site.run("surveys", seed=7)
    assert again.returncode == 0 and again.result is not None, again.output
    state = site.state()
    check_surveys(state, "after the next run")
    final = state["surveys"]
    assert final["named_responses"] == SURVEY_COMPANIES and final["anon_responses"] == SURVEY_COMPANIES, final
