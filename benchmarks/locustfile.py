"""Load test: simulated people of mixed roles working through the platform (`make load`).

Run by ``scripts/load.sh`` against gunicorn on PostgreSQL with the demo data, on the loopback
address: 50 users for 5 minutes (or 60 s with ``--short``). The mix, per 50 users:

=====================  ======  ==================================================================
who                    users   does
=====================  ======  ==================================================================
anonymous public       15      front page, structure, directory and its search, company pages,
                               and every public menu page
company member         10      signs in (``company-member``), own dashboard, every menu page
company manager         8      signs in (``company-manager``), the same as a manager
district officer       12      signs in (``officer`` or ``planner``), dashboards, audit trail,
                               every menu page and the records they link to
university              5      signs in (``university``), every menu page
=====================  ======  ==================================================================

Each signed-in user discovers its pages the way a person does: the menu of its dashboard (the
menu shows only what the role may open), then a few records each menu page links to. Requests
are named by their URL with numbers replaced (``/registry/companies/{id}/``), so the figures
are per page, not per record. Any answer other than 2xx/3xx is an error. Downloads (Excel, PDF,
HWPX, CSV, calendar feeds) are left out: they are not pages and have their own benchmarks.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

PASSWORD = "techvalley-demo"
SKIP = re.compile(
    r"\.(xlsx|csv|pdf|hwpx|ics|json|parquet|zip|png|svg)(\?|$)"
    r"|/(export|download|feed|ical|logout|admin|api|static|media)(/|$|\?|\.)|/login/|/i18n/|[?&](format|download)=",
)
NUMBER = re.compile(r"/\d+(?=/|$)")
TOKEN = re.compile(r"/[A-Za-z0-9_-]{20,}(?=/|$)")


class Links(HTMLParser):
    """The hrefs of a page, split into the header's menu and the main content."""

    def __init__(self):
        super().__init__()
        self.menu: list[str] = []
        self.main: list[str] = []
        self._where: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("header", "main"):
            self._where.append(tag)
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//") and not SKIP.search(href):
                if "header" in self._where:
                    self.menu.append(href)
                elif "main" in self._where:
                    self.main.append(href)

    def handle_endtag(self, tag):
        if tag in ("header", "main") and tag in self._where:
            self._where.remove(tag)


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def page_name(path: str) -> str:
    path = path.split("#")[0]
    base, _, query = path.partition("?")
    base = TOKEN.sub("/{token}", NUMBER.sub("/{id}", base))
    keys = sorted({p.split("=")[0] for p in query.split("&") if p and not p.startswith(("page=", "complex="))})
    return base + (f"?{'&'.join(k + '=' for k in keys)}" if keys else "")


class Person(HttpUser):
    """Someone who looks at pages, with a pause of 1–4 s between them (reading)."""

    abstract = True
    wait_time = between(1, 4)
    usernames: tuple[str, ...] = ()
    start_page = "/"
    max_records = 3  # records each menu page contributes to the user's pages

    def on_start(self):
        self.pages: list[str] = []
        if self.usernames:
            self.sign_in(random.choice(self.usernames))
        self.discover()

    def sign_in(self, username: str) -> None:
        self.client.get("/login/", name="/login/")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": ""},
            headers={"Referer": self.host + "/login/"},
            name="/login/ (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"sign-in as {username} failed: {r.status_code}")
                raise RuntimeError(f"sign-in as {username} failed")
        self.start_page = r.headers.get("Location", "/dashboard/")

    def get(self, path: str):
        with self.client.get(path, name=page_name(path), catch_response=True) as r:
            if r.status_code >= 400:
                r.failure(f"{r.status_code} {path}")
            elif len(r.content) == 0:
                r.failure(f"empty page {path}")
            else:
                r.success()
            return r

    def discover(self) -> None:
        r = self.get(self.start_page)
        menu = list(dict.fromkeys(links_of(r.text).menu))
        pages = [self.start_page, *menu]
        for path in menu:
            found = self.get(path)
            if found.status_code == 200 and "html" in found.headers.get("Content-Type", ""):
                records = [h for h in dict.fromkeys(links_of(found.text).main) if h not in pages]
                pages += random.sample(records, min(self.max_records, len(records)))
        self.pages = list(dict.fromkeys(pages))

    @task(10)
    def browse(self):
        if self.pages:
            self.get(random.choice(self.pages))

    @task(2)
    def dashboard_again(self):
        self.get(self.start_page)


class Anonymous(Person):
    weight = 15
    max_records = 5

    @task(3)
    def search_directory(self):
        q = random.choice(["도금", "금속", "기계", "주식회사", "장림", "신평"])
        self.client.get(
            f"/registry/companies/?q={q}", headers={"HX-Request": "true"}, name="/registry/companies/?q= (htmx)"
        )


class CompanyMember(Person):
    weight = 10
    usernames = ("company-member",)


class CompanyManager(Person):
    weight = 8
    usernames = ("company-manager", "other-company")


class Officer(Person):
    weight = 12
    usernames = ("officer", "planner")
    max_records = 4


class University(Person):
    weight = 5
    usernames = ("university",)
