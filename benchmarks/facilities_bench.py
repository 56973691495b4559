"""Facilities benchmark: bookings per second over HTTP with 32 concurrent clients, the same-slot race
over HTTP, and the month calendar with 2,000 bookings (p95 server time and query count).

Runs on the configured database (SQLite in TECHVALLEY_DATA_DIR, or PostgreSQL with DATABASE_URL),
serves the platform with Django's threaded server on a free port ≥ 8200, and books through
``POST /api/facilities/bookings`` with one API token per client. Afterwards it checks in the
database that no two live bookings of a resource overlap. Figures, not a pass/fail test; the
goals are ≥ 100 bookings/s on PostgreSQL with 0 double bookings, and a month calendar p95
under 100 ms with a query count flat in the number of bookings.

    TECHVALLEY_DATA_DIR=$(mktemp -d) .venv/bin/python benchmarks/facilities_bench.py [--clients 32] [--seconds 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
os.environ.setdefault("TECHVALLEY_DATA_DIR", tempfile.mkdtemp(prefix="techvalley-facilities-"))
ROOT = Path(__file__).resolve().parents[1]

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from techvalley.core.models import ApiToken, Complex, Membership, Organisation  # noqa: E402
from techvalley.facilities.models import Booking, Centre, Resource, local_day  # noqa: E402
from techvalley.facilities.race import double_bookings  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    for port in range(8200, 8300):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8200–8299")


def open_all_day(cx, centre, name: str) -> Resource:
    return Resource.objects.create(
        complex=cx,
        centre=centre,
        kind="meeting",
        name=name,
        opens_minute=0,
        closes_minute=1440,
        open_weekends=True,
        open_holidays=True,
        slot_minutes=15,
        min_minutes=15,
        max_minutes=240,
        horizon_days=3650,
        max_per_day=10000,
        max_per_month=30000,
        max_future=30000,
        fee_tenant=10000,
    )


def build(clients: int, resources: int):
    cx, _ = Complex.objects.get_or_create(slug="sinpyeong-jangnim", defaults={"name": "신평·장림일반산업단지"})
    centre = Centre.objects.create(complex=cx, name=f"bench centre {time.time_ns()}")
    rooms = [open_all_day(cx, centre, f"bench room {i}") for i in range(resources)]
    User = get_user_model()
    tokens = []
    stamp = time.time_ns()
    for i in range(clients):
        org = Organisation.objects.create(complex=cx, kind="company", name=f"bench company {stamp} {i}")
        user = User.objects.create_user(f"bench-{stamp}-{i}", password=None)
        Membership.objects.create(user=user, organisation=org, role="manager")
        tokens.append(ApiToken.objects.create(user=user, name="bench").key)
    return cx, centre, rooms, tokens


#: Django's WSGI handler served the way a production WSGI server serves it: SO_REUSEPORT so
#: several worker processes share the port (one Python process is bound by its interpreter lock),
#: a listen backlog for 32 clients connecting at once, and either
#:
#: - ``pool`` (the default): a fixed pool of threads per process, each keeping its database
#:   connection between requests (``CONN_MAX_AGE`` 60 s, as the settings give production) — what
#:   gunicorn's threaded workers do;
#: - ``threaded``: a thread per request that closes its connection when it ends (``techvalley
#:   serve``, the development server) — every request opens a new database connection.
SERVER = """
import os, queue, socket, socketserver, sys, threading
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
import django
django.setup()
from django.core.servers.basehttp import WSGIServer, run
from django.core.wsgi import get_wsgi_application
from django.db import connections
mode, threads = sys.argv[2], int(sys.argv[3])
class Reuse(WSGIServer):
    request_queue_size = 256
    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()
class Threaded(socketserver.ThreadingMixIn, Reuse):
    daemon_threads = True
    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            connections.close_all()
class Pool(Reuse):
    def server_activate(self):
        super().server_activate()
        self.jobs = queue.Queue()
        for _ in range(threads):
            threading.Thread(target=self.work, daemon=True).start()
    def process_request(self, request, client_address):
        self.jobs.put((request, client_address))
    def work(self):
        while True:
            request, client_address = self.jobs.get()
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
if mode == "pool":
    connections.settings["default"]["CONN_MAX_AGE"] = 60
server_cls = Pool if mode == "pool" else Threaded
run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), threading=False, server_cls=server_cls)
"""


def serve(port: int, workers: int, mode: str = "pool", threads: int = 8) -> list[subprocess.Popen]:
    env = dict(os.environ, TECHVALLEY_DEBUG="0")
    log = open(Path(os.environ["TECHVALLEY_DATA_DIR"]) / "bench-server.log", "wb")  # noqa: SIM115 - the servers'
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port), mode, str(threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd=ROOT,
        )
        for _ in range(workers)
    ]
    for _ in range(300):
        try:
            for _ in range(4 * workers):  # every worker up (the kernel spreads connections)
                requests.get(f"http://127.0.0.1:{port}/api/facilities/resources", timeout=30)
            return procs
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    for p in procs:
        p.kill()
    raise SystemExit("the server did not start: " + Path(log.name).read_text(errors="replace")[-2000:])


def cpu_seconds(pids) -> float:
    """User + system CPU time of processes (Linux /proc): what the servers spent, whatever else
    the machine was doing — the figure that does not depend on the load."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def postgres_cpu_seconds() -> float | None:
    """CPU time of the throw-away PostgreSQL of ``scripts/pg.sh`` (``PG_DIR``): the postmaster,
    its finished backends (reaped children) and the running ones. None for another database."""
    pg_dir = os.environ.get("PG_DIR")
    if not pg_dir or connection.vendor != "postgresql":
        return None
    try:
        master = int(Path(pg_dir, "data", "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{master}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            rest = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(rest[1]) == master:
            children.append(int(stat.parent.name))
    return total + cpu_seconds(children)


def throughput(base: str, rooms, tokens, seconds: float, seed: int = 7) -> dict:
    """Each client books 15-minute slots from a shared sequence; one request in four re-tries a
    slot another client just took (it must answer 409 slot_taken)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    slots = [(r.pk, start + dt.timedelta(minutes=15 * k)) for k in range(96 * 60) for r in rooms]
    lock = threading.Lock()
    cursor = [0]
    taken: list[tuple[int, dt.datetime]] = []
    results: Counter = Counter()
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds
    barrier = threading.Barrier(len(tokens))

    def client(i: int, token: str):
        rng = random.Random(seed + i)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        while time.monotonic() < stop_at:
            retry = False
            with lock:
                if taken and rng.random() < 0.25:
                    rid, at = taken[rng.randrange(len(taken))]
                    retry = True
                else:
                    rid, at = slots[cursor[0] % len(slots)]
                    cursor[0] += 1
            body = {
                "resource": rid,
                "start": at.isoformat(),
                "end": (at + dt.timedelta(minutes=15)).isoformat(),
                "purpose": "bench",
            }
            t0 = time.perf_counter()
            r = session.post(f"{base}/api/facilities/bookings", json=body, timeout=60)
            elapsed = time.perf_counter() - t0
            code = r.status_code
            if code == 409 and r.json().get("code") != "slot_taken":
                code = "409-other"
            with lock:
                latencies.append(elapsed)
                results[(code, retry)] += 1
                if code == 201:
                    taken.append((rid, at))

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    booked = sum(n for (code, _), n in results.items() if code == 201)
    total = sum(results.values())
    return {
        "seconds": wall,
        "booked": booked,
        "requests": total,
        "slot_taken": sum(n for (code, _), n in results.items() if code == 409),
        "retries_booked": results[(201, True)],
        "other": {f"{c}{' retry' if r else ''}": n for (c, r), n in results.items() if c not in (201, 409)},
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
        "p95_ms": 1000 * percentile(latencies, 0.95) if latencies else 0,
    }


def same_slot_race(base: str, room, tokens, rounds: int) -> Counter:
    """All clients post the same slot at once, ``rounds`` times: one 201 per round."""
    outcome: Counter = Counter()
    first = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=400)
    for k in range(rounds):
        at = first + dt.timedelta(hours=k)
        barrier = threading.Barrier(len(tokens))
        lock = threading.Lock()
        got: Counter = Counter()

        def client(token, at=at, barrier=barrier, lock=lock, got=got):
            body = {
                "resource": room.pk,
                "start": at.isoformat(),
                "end": (at + dt.timedelta(hours=1)).isoformat(),
                "purpose": "race",
            }
            barrier.wait()
            r = requests.post(
                f"{base}/api/facilities/bookings", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
            with lock:
                got[r.status_code] += 1

        threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcome[
            f"{got[201]} booked / {got[409]} slot_taken"
            + (f" / other {dict(got)}" if got[201] + got[409] != len(tokens) else "")
        ] += 1
    return outcome


def calendar_bench(cx, centre, sizes=(200, 2000), rounds: int = 30) -> list[dict]:
    """The month calendar page of one resource holding N bookings (15-minute, in one month)."""
    setup_test_environment()  # the test client's rendering signals, as the page benchmark does
    officer = get_user_model().objects.create_user(f"bench-officer-{time.time_ns()}", password=None)
    district = Organisation.objects.create(complex=cx, kind="district", name=f"bench district {time.time_ns()}")
    Membership.objects.create(user=officer, organisation=district, role="officer")
    org = Organisation.objects.filter(complex=cx, kind="company").first()
    out = []
    month = (timezone.localdate().replace(day=1) + dt.timedelta(days=70)).replace(day=1)
    for n in sizes:
        room = open_all_day(cx, centre, f"calendar room {n}")
        base = timezone.make_aware(dt.datetime.combine(month, dt.time()), timezone.get_default_timezone())
        Booking.objects.bulk_create(
            [
                Booking(
                    complex=cx,
                    resource=room,
                    organisation=org,
                    start=base + dt.timedelta(minutes=15 * k),
                    end=base + dt.timedelta(minutes=15 * k + 15),
                    day=local_day(base + dt.timedelta(minutes=15 * k)),
                    purpose=f"booking {k}",
                    status="confirmed",
                    tier="tenant",
                )
                for k in range(n)
            ],
            batch_size=1000,
        )
        client = Client()
        client.force_login(officer)
        url = f"/facilities/resources/{room.pk}/calendar/"
        query = {"view": "month", "date": month.isoformat()}
        client.get(url, query)
        times = []
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                r = client.get(url, query)
                times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.status_code
        out.append(
            {
                "bookings": n,
                "p50_ms": 1000 * statistics.median(times),
                "p95_ms": 1000 * percentile(times, 0.95),
                "queries": len(ctx),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--resources", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--race-rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server processes")
    parser.add_argument(
        "--server",
        choices=("pool", "threaded"),
        default="pool",
        help="pool: threads keeping their database connection (production); threaded: one per request",
    )
    parser.add_argument("--threads", type=int, default=8, help="threads per server process (pool)")
    parser.add_argument("--port", type=int, default=0, help="the servers' port (0: the first free one from 8200)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    vendor = connection.vendor
    cx, centre, rooms, tokens = build(args.clients, args.resources)
    connection.close()
    port = args.port or free_port()
    servers = serve(port, args.workers, args.server, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        print(
            f"== facilities on {vendor}: {args.clients} clients over HTTP ({args.workers} Django server processes, "
            + (
                f"{args.threads} threads each keeping its database connection"
                if args.server == "pool"
                else "a thread and a new database connection per request"
            )
            + f", on port {port}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
        )
        cpu_before, db_before = cpu_seconds(p.pid for p in servers), postgres_cpu_seconds()
        t = throughput(base, rooms, tokens, args.seconds)
        server_cpu = cpu_seconds(p.pid for p in servers) - cpu_before
        db_after = postgres_cpu_seconds()
        db_cpu = db_after - db_before if db_before is not None and db_after is not None else None
        print(
            f"bookings/s: {t['booked'] / t['seconds']:.0f}  ({t['booked']} booked in {t['seconds']:.1f} s; "
            f"{t['requests'] / t['seconds']:.0f} requests/s; {t['slot_taken']} answered slot_taken, "
            f"{t['retries_booked']} re-tries of a taken slot booked [must be 0]; other answers {t['other'] or 'none'}; "
            f"latency p50 {t['p50_ms']:.0f} ms, p95 {t['p95_ms']:.0f} ms)"
        )
        print(
            f"server CPU per booking request: {1000 * server_cpu / max(t['requests'], 1):.1f} ms "
            f"(Django processes, {server_cpu:.1f} s for {t['requests']} requests)"
            + (
                f"; PostgreSQL {1000 * db_cpu / max(t['requests'], 1):.1f} ms"
                if db_cpu is not None
                else "; the database's CPU not measured (PG_DIR of scripts/pg.sh not set)"
            )
        )
        race = same_slot_race(base, rooms[0], tokens, args.race_rounds)
        print(f"same-slot race, {args.clients} clients × {args.race_rounds} rounds: {dict(race)}")
    finally:
        for p in servers:
            p.terminate()
        for p in servers:
            p.wait(timeout=20)
    overlaps = sum(double_bookings(r) for r in rooms)
    print(f"double bookings in the database: {overlaps}" + ("" if overlaps == 0 else "  ← THE GUARANTEE FAILED"))
    for row in calendar_bench(cx, centre):
        print(
            f"month calendar, {row['bookings']:,} bookings: p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms, "
            f"{row['queries']} queries"
        )
    if overlaps:
        sys.exit(1)


if __name__ == "__main__":
    main()
