import os
import re
import subprocess
import sys
from pathlib import Path

import techvalley

SRC = Path(techvalley.__file__).parent


def run_django(args, tmp_path, **env):
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environ.update(TECHVALLEY_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="techvalley.settings", **env)
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=environ, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy(tmp_path):
    r = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        TECHVALLEY_PRODUCTION="1",
        TECHVALLEY_ALLOWED_HOSTS="techvalley.saha.go.kr",
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_secret_key_is_generated_once_and_private(tmp_path):
    assert run_django(["check"], tmp_path).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) > 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    run_django(["check"], tmp_path)
    assert key_file.read_text() == first


def test_settings_documented_in_operations_guide():
    text = (SRC / "settings.py").read_text()
    names = set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", text)) | set(
        re.findall(r"env_flag\(\"([A-Z_]+)\"", text)
    )
    guide = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if n not in guide)
    assert not missing, f"settings missing from docs/operations.md: {missing}"


def test_no_template_or_static_file_refers_to_the_internet():
    offenders = []
    for path in list(SRC.rglob("*.html")) + list(SRC.rglob("*.css")) + list(SRC.rglob("*.js")):
        for url in re.findall(r"(?:src|href|url)\s*[=(]\s*[\"']?(https?://[^\"')\s]+)", path.read_text()):
            offenders.append(f"{path.name}: {url}")
    assert offenders == []


def test_the_server_entry_points_freeze_the_imported_objects(tmp_path):
    """techvalley.wsgi/asgi call gc.freeze() once the platform is loaded, so full garbage
    collections during requests skip the libraries' objects (the pages' p95)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TECHVALLEY_") and k != "DATABASE_URL"}
    env["TECHVALLEY_DATA_DIR"] = str(tmp_path)
    for module in ("techvalley.wsgi", "techvalley.asgi"):
        code = f"import gc, {module}; print(gc.get_freeze_count())"
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert int(out.stdout) > 50_000, (module, out.stdout)
