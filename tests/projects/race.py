"""Twenty clients drafting the same quarterly report at once.

Used by ``test_robustness.py`` in-process on PostgreSQL, and as a script on SQLite
(``python -m tests.projects.race DATA_DIR``): the SQLite test database is in memory with a
shared cache, whose table locks fail at once instead of waiting, so the SQLite race runs on a
file database set up as in production (WAL, ``BEGIN IMMEDIATE``, busy timeout).
"""

from __future__ import annotations

import json
import os
import sys
import threading

CLIENTS = 20
BODY = {"year": 2025, "quarter": 3, "percent": "40", "summary": "동시 작성 / concurrent"}


def run_race(project_id: int, token: str, clients: int = CLIENTS) -> list[tuple[int, dict]]:
    """POST the same report from ``clients`` threads at once; (status, JSON body) of each."""
    from django.db import connection
    from django.test import Client

    results: list[tuple[int, dict]] = []
    start = threading.Barrier(clients)

    def draft():
        try:
            c = Client(raise_request_exception=False)
            start.wait()
            r = c.post(
                f"/api/plan/pledges/{project_id}/reports",
                BODY,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            try:
                payload = r.json()
            except ValueError:
                payload = {"raw": r.content[:200].decode("utf-8", "replace")}
            results.append((r.status_code, payload))
        finally:
            connection.close()

    threads = [threading.Thread(target=draft) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main(data_dir: str) -> None:
    os.environ["TECHVALLEY_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)  # always the file SQLite database in data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techvalley.settings")
    os.environ.setdefault("PYTEST_VERSION", "race")  # the test client's host is allowed
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from techvalley.core.models import ApiToken, Membership, Organisation
    from techvalley.projects.models import ProgressReport
    from tests.factories import ComplexFactory, MembershipFactory, OrganisationFactory, UserFactory
    from tests.projects.factories import ProjectFactory

    cx = ComplexFactory()
    district = OrganisationFactory(complex=cx, kind=Organisation.Kind.DISTRICT, name="사하구청")
    officer = MembershipFactory(organisation=district, role=Membership.Role.OFFICER, user=UserFactory()).user
    pledge = ProjectFactory(complex=cx)
    token = ApiToken.objects.create(user=officer, name="race").key
    results = run_race(pledge.pk, token)
    count = ProgressReport.objects.filter(project=pledge, year=BODY["year"], quarter=BODY["quarter"]).count()
    sys.stdout.write(json.dumps({"results": results, "reports": count}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
