"""Security settings: the login throttle (pages and API tokens), the Content-Security-Policy and
other headers, cookies and `check --deploy` with production settings, and templates without
inline script."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

import techvalley
from techvalley.core import security
from tests.factories import UserFactory

SRC = Path(techvalley.__file__).parent
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def person(db):
    return UserFactory(username="kim.minjun")


def post_login(client, username, password, ip="203.0.113.7"):
    return client.post(reverse("core:login"), {"username": username, "password": password, "next": ""}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_then_429_even_with_the_right_one(client, person, settings):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        r = post_login(client, "kim.minjun", "wrong")
        assert r.status_code == 200 and not r.wsgi_request.user.is_authenticated
    r = post_login(client, "kim.minjun", PASSWORD)
    assert r.status_code == 429
    text = r.content.decode()
    assert "로그인 시도가 너무 많습니다" in text and "Too many sign-in attempts" in text
    assert text.index("로그인 시도가") < text.index("Too many")  # Korean first
    assert 0 < int(r["Retry-After"]) <= settings.TECHVALLEY_LOGIN_WINDOW_SECONDS + 1
    assert "_auth_user_id" not in client.session
    # the same name typed differently is the same account
    assert post_login(client, "KIM.MINJUN ", PASSWORD).status_code == 429


def test_throttle_is_per_username_and_address(client, person, settings):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES = 3
    UserFactory(username="lee.seoyeon")
    for _ in range(3):
        post_login(client, "kim.minjun", "wrong")
    assert post_login(client, "kim.minjun", PASSWORD).status_code == 429
    # another address may still sign in as the same person; another person from this address too
    assert post_login(client, "kim.minjun", PASSWORD, ip="198.51.100.9").status_code == 302
    client.logout()
    assert post_login(client, "lee.seoyeon", PASSWORD).status_code == 302


def test_success_clears_the_count(client, person, settings):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        post_login(client, "kim.minjun", "wrong")
    assert post_login(client, "kim.minjun", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        post_login(client, "kim.minjun", "wrong")
    assert post_login(client, "kim.minjun", PASSWORD).status_code == 302


def test_window_ends(client, person, settings, monkeypatch):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES = 2
    settings.TECHVALLEY_LOGIN_WINDOW_SECONDS = 60
    now = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: now[0])
    for _ in range(2):
        post_login(client, "kim.minjun", "wrong")
    assert post_login(client, "kim.minjun", PASSWORD).status_code == 429
    now[0] += 61
    assert post_login(client, "kim.minjun", PASSWORD).status_code == 302


def test_spraying_many_usernames_from_one_address_is_throttled(client, db, settings):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES_PER_IP = 10
    for i in range(10):
        post_login(client, f"guess{i}", "wrong")
    assert post_login(client, "someone-else", "wrong").status_code == 429


def test_admin_login_is_throttled_too(client, person, settings):
    settings.TECHVALLEY_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post("/admin/login/", {"username": "kim.minjun", "password": "x"}, REMOTE_ADDR="203.0.113.7")
    r = client.post("/admin/login/", {"username": "kim.minjun", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert r.status_code == 429


def test_bad_api_tokens_are_throttled_per_address(client, person, settings):
    from techvalley.core.models import ApiToken

    settings.TECHVALLEY_LOGIN_MAX_FAILURES_PER_IP = 4
    good = ApiToken.objects.create(user=person, name="t")
    for i in range(4):
        r = client.get("/api/core/me", HTTP_AUTHORIZATION=f"Bearer guess-{i}", REMOTE_ADDR="203.0.113.7")
        assert r.status_code == 401
    r = client.get("/api/core/me", HTTP_AUTHORIZATION=f"Bearer {good.key}", REMOTE_ADDR="203.0.113.7")
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "too_many_attempts" and body["message"].startswith("잘못된 API 토큰")
    assert set(body) == {"code", "message", "field", "detail"} and int(r["Retry-After"]) > 0
    r = client.get("/api/core/me", HTTP_AUTHORIZATION=f"Bearer {good.key}", REMOTE_ADDR="198.51.100.9")
    assert r.status_code == 200 and r.json()["username"] == "kim.minjun"
    # calls without a token (the public, a browser's session) are not affected
    assert client.get("/api/core/me", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_client_address_behind_a_proxy(rf, settings):
    settings.TECHVALLEY_PROXY_HOPS = 0
    req = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert security.client_ip(req) == "127.0.0.1"
    settings.TECHVALLEY_PROXY_HOPS = 1
    assert security.client_ip(req) == "203.0.113.7"  # what nginx saw, not what the client claimed
    assert security.client_ip(rf.get("/", REMOTE_ADDR="garbage")) == "unknown"


def _csp(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.mark.parametrize("path", ["/", "/login/", "/api/docs", "/no-such-page/"])
def test_every_response_has_a_strict_content_security_policy(client, db, path):
    from tests.factories import ComplexFactory

    ComplexFactory()
    r = client.get(path)
    policy = _csp(r)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no hosts
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert not any(v.startswith(("http:", "https:", "*")) for values in policy.values() for v in values)
    assert "camera=()" in r["Permissions-Policy"]
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin" and r["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/api/core/me", "/api/openapi.json", "/static/core/favicon.svg"])
def test_files_and_json_are_sandboxed(client, db, path):
    policy = _csp(client.get(path))
    assert policy["default-src"] == ["'none'"] and "sandbox" in policy and "script-src" not in policy
    assert policy["frame-ancestors"] == ["'none'"]


def test_development_cookies_are_httponly_and_samesite(client, person):
    client.get(reverse("core:login"))
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    r = post_login(client, "kim.minjun", PASSWORD)
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["max-age"]  # ends when the browser closes


# --- production settings, in a process of their own (settings are read once) ----------------

PRODUCTION_SCRIPT = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.contrib.auth import get_user_model
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user("kim", password="a-long-password-1")
    c = Client(HTTP_HOST="techvalley.saha.go.kr", HTTP_X_FORWARDED_PROTO="https")
    plain = Client(HTTP_HOST="techvalley.saha.go.kr")
    out = {"redirect": plain.get("/login/")["Location"]}
    r = c.get("/login/")
    out["hsts"] = r.get("Strict-Transport-Security", "")
    out["cookies"] = {}
    r2 = c.post("/login/", {"username": "kim", "password": "a-long-password-1",
                            "csrfmiddlewaretoken": r.cookies["__Host-csrftoken"].value},
                headers={"Origin": "https://techvalley.saha.go.kr", "Referer": "https://techvalley.saha.go.kr/login/"})
    out["login_status"] = r2.status_code
    for resp in (r, r2):
        for name, m in resp.cookies.items():
            out["cookies"][name] = {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                                    "samesite": m["samesite"], "path": m["path"], "domain": m["domain"]}
    print(json.dumps(out))
    """
)


def _production_env(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests while they run; never in deployment.
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        TECHVALLEY_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="techvalley.settings",
        TECHVALLEY_PRODUCTION="1",
        TECHVALLEY_ALLOWED_HOSTS="techvalley.saha.go.kr",
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "DEBUG"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "no issues" in r.stdout, r.stdout + r.stderr


def test_production_cookies_are_secure_host_only_and_https_is_enforced(tmp_path):
    r = subprocess.run(
        [sys.executable, "-c", PRODUCTION_SCRIPT],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["redirect"].startswith("https://techvalley.saha.go.kr/")
    assert "max-age=31536000" in out["hsts"] and "includeSubDomains" in out["hsts"] and "preload" in out["hsts"]
    assert out["login_status"] == 302
    session, csrf = out["cookies"]["__Host-sessionid"], out["cookies"]["__Host-csrftoken"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax", "path": "/", "domain": ""}
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/" and not csrf["domain"]


# --- templates: nothing the policy would block -------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"javascript:", re.I)
HTMX_EVAL = re.compile(r"\bhx-on\b|\bhx-on[:-]|\bhx-vars\s*=|\bjs:", re.I)


def inline_script_offences(root: Path = SRC) -> list[str]:
    """Every inline script, event-handler attribute, javascript: URL or htmx attribute that runs
    code (hx-on, hx-vars, js:) in the templates: (app, file, line)."""
    offences = []
    for path in sorted(root.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in (
            (INLINE_SCRIPT, "inline <script>"),
            (EVENT_HANDLER, "on* attribute"),
            (JS_URL, "javascript: URL"),
            (HTMX_EVAL, "htmx code attribute"),
        ):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                offences.append(f"{path.relative_to(root)}:{line}: {what}")
    return offences


def test_the_scanner_finds_what_it_should(tmp_path):
    t = tmp_path / "x" / "templates" / "x"
    t.mkdir(parents=True)
    (t / "a.html").write_text(
        '<script>alert(1)</script>\n<script src="/s.js"></script>\n<script type="application/json">{}</script>\n'
        '<button\n  onclick="go()">\n<a href="JavaScript:void(0)">\n<div hx-on:click="x()">\n<p class="one">ok</p>'
    )
    found = inline_script_offences(tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == [
        "inline <script>",
        "on* attribute",
        "javascript: URL",
        "htmx code attribute",
    ]
    assert [int(f.split(":")[1]) for f in found] == [1, 4, 6, 7]


def test_no_template_has_inline_script_event_handlers_or_javascript_urls():
    offences = inline_script_offences()
    assert offences == [], "the Content-Security-Policy blocks these:\n" + "\n".join(offences)
