"""The deployment files in deploy/: gunicorn serves the platform with its config, the nginx
site's limits match the platform's, the systemd units are valid, the backup script keeps the
newest backups, and the compose file wires the web service to PostgreSQL."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.ops.test_backup import environment, ok, techvalley

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PORT = 8260  # this app's port for serving in tests


def get(path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.skipif(not (BIN / "gunicorn").exists(), reason="gunicorn not installed")
def test_gunicorn_serves_the_platform_with_the_config(tmp_path):
    data, logs = tmp_path / "data", tmp_path / "logs"
    data.mkdir()
    logs.mkdir()
    ok(techvalley(data, "migrate"))
    env = environment(data) | {
        "TECHVALLEY_BIND": f"127.0.0.1:{PORT}",
        "TECHVALLEY_WORKERS": "1",
        "TECHVALLEY_THREADS": "2",
        "TECHVALLEY_LOG_DIR": str(logs),
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "techvalley.wsgi:application"],
        env=env,
        cwd=data,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                status, body = get("/healthz")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + (logs / "error.log").read_text())
        assert (status, body) == (200, {"status": "ok"})
        status, body = get("/readyz")
        assert status == 200 and body["status"] == "ready", body
        server.send_signal(signal.SIGUSR1)  # what logrotate's postrotate sends: reopen the logs
        time.sleep(0.5)
        assert get("/healthz")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    access = (logs / "access.log").read_text()
    assert "GET /healthz" in access and "GET /readyz" in access
    assert server.returncode == 0


def test_nginx_site_matches_the_platform():
    site = (DEPLOY / "nginx" / "techvalley.conf").read_text()
    proxy = (DEPLOY / "nginx" / "techvalley-proxy.conf").read_text()
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(limit) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert int(limit) * 1024 * 1024 >= settings.TECHVALLEY_REGISTRY_MAX_UPLOAD_BYTES
    # Uploaded files are private: nginx must not serve the media folder.
    media = re.search(r"location /media/ \{(.*?)\}", site, re.S).group(1)
    assert "return 404" in media and "alias" not in media and "root" not in media
    assert "alias /srv/techvalley/static/;" in site
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For $remote_addr", "Host $host"):
        assert f"proxy_set_header {header};" in proxy
    upstream = re.search(r"server 127\.0\.0\.1:(\d+);", site).group(1)
    gunicorn_conf = (DEPLOY / "gunicorn.conf.py").read_text()
    assert f'"127.0.0.1:{upstream}"' in gunicorn_conf
    (read_timeout,) = re.findall(r"proxy_read_timeout (\d+)s;", site)
    gunicorn_timeout = int(re.search(r'"TECHVALLEY_TIMEOUT", (\d+)', gunicorn_conf).group(1))
    assert int(read_timeout) > gunicorn_timeout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_are_valid(tmp_path):
    """``systemd-analyze verify`` on the units, with the install paths pointed at this checkout."""
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text()
        text = text.replace("/opt/techvalley/venv/bin", str(BIN)).replace("/opt/techvalley/deploy", str(DEPLOY))
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "Failed to connect to bus" not in line and "not found" not in line.lower()
    ]
    assert result.returncode == 0 or not problems, result.stdout + result.stderr
    assert problems == [], problems
    timer = (DEPLOY / "systemd" / "techvalley-backup.timer").read_text()
    assert "Persistent=true" in timer and "OnCalendar=" in timer
    backup = (DEPLOY / "systemd" / "techvalley-backup.service").read_text()
    assert "ExecStart=/opt/techvalley/deploy/bin/techvalley-backup" in backup
    purge = (DEPLOY / "systemd" / "techvalley-privacy-purge.service").read_text()
    assert "ExecStart=/opt/techvalley/venv/bin/techvalley privacy purge" in purge
    purge_timer = (DEPLOY / "systemd" / "techvalley-privacy-purge.timer").read_text()
    assert "OnCalendar=*-*-* 03:30:00" in purge_timer and "02:30:00" in timer  # after the backup
    tasks = (DEPLOY / "systemd" / "techvalley-tasks.service").read_text()
    for command in ("facilities tick", "facilities send-mail", "survey send-mail"):
        assert f"ExecStart=/opt/techvalley/venv/bin/techvalley {command}\n" in tasks
    web = (DEPLOY / "systemd" / "techvalley.service").read_text()
    assert "deploy/gunicorn.conf.py techvalley.wsgi:application" in web


def test_backup_script_keeps_the_newest(tmp_path):
    data, backups = tmp_path / "data", tmp_path / "backups"
    data.mkdir()
    ok(techvalley(data, "migrate"))
    backups.mkdir()
    (backups / "20200101-000000").mkdir()  # not a backup (no manifest): never pruned
    (backups / "notes.txt").write_text("keep")
    env = environment(data) | {
        "TECHVALLEY_BIN": str(BIN),
        "TECHVALLEY_BACKUP_DIR": str(backups),
        "TECHVALLEY_BACKUP_KEEP": "2",
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    made = []
    for _ in range(3):
        result = subprocess.run(
            [str(DEPLOY / "bin" / "techvalley-backup")], env=env, cwd=data, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
        made.append(sorted(p.name for p in backups.iterdir() if (p / "manifest.json").exists())[-1])
        time.sleep(1.1)  # backups are named by the second
    kept = sorted(p.name for p in backups.iterdir() if (p / "manifest.json").exists())
    assert kept == made[1:]
    assert (backups / "20200101-000000").is_dir() and (backups / "notes.txt").exists()
    assert oct(backups.stat().st_mode)[-3:] == "700"
    bad = subprocess.run(
        [str(DEPLOY / "bin" / "techvalley-backup")],
        env=env | {"TECHVALLEY_BACKUP_KEEP": "all"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "must be a number" in bad.stderr


def test_compose_runs_the_web_service_on_postgres():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    web, db = compose["services"]["web"], compose["services"]["db"]
    assert web["environment"]["DATABASE_URL"].startswith("postgres://") and "@db/" in web["environment"]["DATABASE_URL"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert all(p.startswith("127.0.0.1:") for p in web["ports"])
    assert any("/readyz" in part for part in web["healthcheck"]["test"])
    assert "/srv/techvalley" in web["volumes"][0]
    # pg_dump in the web image (Debian 12: PostgreSQL 15) must not be older than the server.
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "bookworm" in dockerfile and "postgresql-client" in dockerfile
    assert db["image"].startswith("postgres:15")


def test_deploy_settings_are_documented():
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    names = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "techvalley.env").read_text(), re.M))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (DEPLOY / "gunicorn.conf.py").read_text()))
    names |= {"TECHVALLEY_BACKUP_DIR", "TECHVALLEY_BACKUP_KEEP"}
    missing = sorted(n for n in names if n not in guide)
    assert not missing, f"not in docs/operations.md: {missing}"
    for path in ("deploy/gunicorn.conf.py", "deploy/nginx/techvalley.conf", "deploy/compose.yaml"):
        assert path in guide


# --- nginx for real: the repository's site in front of gunicorn -------------------------------

NGINX = Path("/usr/sbin/nginx")
NGINX_HTTP, NGINX_HTTPS, UPSTREAM = 8261, 8262, 8263  # this app's test ports
HOST = "techvalley.example.go.kr"  # the site's server_name, as a browser would send it


def nginx_site(tmp_path: Path, static: Path) -> Path:
    """deploy/nginx/*.conf with only the machine-specific parts replaced (ports on 127.0.0.1, the
    certificate, the static folder, logs), inside a main configuration of its own."""
    site = (DEPLOY / "nginx" / "techvalley.conf").read_text()
    replaced = {
        "listen 80;": f"listen 127.0.0.1:{NGINX_HTTP};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{NGINX_HTTPS} ssl http2;",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{UPSTREAM};",
        "/etc/ssl/techvalley/": f"{tmp_path}/",
        "/srv/techvalley/static/": f"{static}/",
        "/etc/nginx/techvalley-proxy.conf": str(DEPLOY / "nginx" / "techvalley-proxy.conf"),
        "/var/log/nginx/": f"{tmp_path}/",
    }
    for old, new in replaced.items():
        assert old in site, f"deploy/nginx/techvalley.conf no longer has {old!r}"
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)  # no IPv6 needed here
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    temp = "".join(f"{k}_temp_path {tmp_path}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main.write_text(
        f"{user}\ndaemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/main-error.log;\n"
        f"events {{ worker_connections 64; }}\nhttp {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}"
        f"include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def request(port: int, path: str, *, tls: bool, method: str = "GET", headers: dict | None = None):
    import http.client
    import ssl

    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", HOST)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_for(port: int, tls: bool, what: str, logs: list[Path]) -> None:
    for _ in range(150):
        try:
            request(port, "/healthz", tls=tls)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not start: " + "\n".join(p.read_text() for p in logs if p.exists()))


@pytest.mark.skipif(
    not NGINX.exists() and not os.environ.get("CI"), reason="nginx not installed (make test installs it)"
)
def test_nginx_site_in_front_of_gunicorn_in_production_mode(tmp_path):
    """The repository's nginx site, run by Debian's nginx in front of gunicorn with the production
    settings: HTTPS with the proxy headers Django trusts, health checks over plain HTTP, everything
    else redirected, static files from the collected folder, uploads never served, the body limit."""
    data, logs = tmp_path / "data", tmp_path / "logs"
    data.mkdir()
    logs.mkdir()
    ok(techvalley(data, "migrate"))
    production = environment(data) | {
        "TECHVALLEY_PRODUCTION": "1",
        "TECHVALLEY_ALLOWED_HOSTS": HOST,
        "TECHVALLEY_BIND": f"127.0.0.1:{UPSTREAM}",
        "TECHVALLEY_WORKERS": "1",
        "TECHVALLEY_THREADS": "2",
        "TECHVALLEY_LOG_DIR": str(logs),
    }
    collected = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
        env=production, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    static = data / "static"
    css = next(static.rglob("*.css")).relative_to(static)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    main = nginx_site(tmp_path, static)
    checked = subprocess.run([str(NGINX), "-t", "-c", str(main)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "techvalley.wsgi:application"],
        env=production, cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    nginx = subprocess.Popen([str(NGINX), "-c", str(main)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(UPSTREAM, False, "gunicorn", [logs / "error.log"])
        wait_for(NGINX_HTTP, False, "nginx", [tmp_path / "main-error.log", tmp_path / "techvalley.error.log"])
        # Plain HTTP: the machine's health checks answer; everything else goes to HTTPS.
        status, _h, body = request(NGINX_HTTP, "/healthz", tls=False)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, headers, _b = request(NGINX_HTTP, "/dashboard/", tls=False)
        assert status == 301 and headers["location"] == f"https://{HOST}/dashboard/"
        # HTTPS: Django sees a secure request through X-Forwarded-Proto (no redirect loop).
        status, headers, body = request(NGINX_HTTPS, "/login/", tls=True)
        assert status == 200, (status, headers)
        assert "max-age=31536000" in headers["strict-transport-security"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "<html" in body.decode()
        assert "__Host-csrftoken=" in headers["set-cookie"] and "Secure" in headers["set-cookie"]
        # A client's own forwarded headers are overwritten, not trusted.
        status, headers, _b = request(NGINX_HTTPS, "/login/", tls=True, headers={"X-Forwarded-Proto": "http"})
        assert status == 200
        # Static files come from the collected folder, with caching; uploads are never served.
        status, headers, body = request(NGINX_HTTPS, f"/static/{css}", tls=True)
        assert status == 200 and body == (static / css).read_bytes()
        assert headers["cache-control"] == "public" and "expires" in headers
        (data / "media").mkdir(exist_ok=True)
        (data / "media" / "evidence.pdf").write_bytes(b"%PDF-1.4 private")
        assert request(NGINX_HTTPS, "/media/evidence.pdf", tls=True)[0] == 404
        # Bodies over the platform's limit are refused by nginx before they reach Django.
        status, _h, _b = request(
            NGINX_HTTPS, "/login/", tls=True, method="POST", headers={"Content-Length": str(51 * 1024 * 1024)}
        )
        assert status == 413
        assert request(NGINX_HTTPS, "/readyz", tls=True)[0] == 200
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
        for process in (nginx, gunicorn):
            process.wait(timeout=30)
    access = (tmp_path / "techvalley.access.log").read_text()
    assert "GET /login/" in access and '"POST /login/ HTTP/1.1" 413' in access
