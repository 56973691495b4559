"""Warm-ups (``spine.warmup``): what is slow on first use is loaded by each server worker as it
starts, in the background; a failing one is logged, never fatal."""

import logging
import re
from pathlib import Path

from techvalley.core import spine
from techvalley.core.spine import Contributions

ROOT = Path(__file__).resolve().parents[2]


def test_warm_ups_run_in_a_daemon_thread_and_a_failure_is_only_logged(caplog):
    made = []
    contributions = Contributions()

    def broken():
        raise RuntimeError("no model here")

    contributions.warmup(broken, lambda: made.append("model"))
    with caplog.at_level(logging.INFO, logger="techvalley.warmup"):
        thread = contributions.warm_up_in_background()
        thread.join(timeout=30)
    assert thread.daemon and not thread.is_alive()
    assert made == ["model"]  # the one after the failure still ran
    assert "no model here" in caplog.text and "warm-up" in caplog.text


def test_the_apps_register_their_slow_loads_and_gunicorn_runs_them_after_the_fork():
    names = {getattr(f, "__qualname__", "") for f in spine.platform.warmups}
    assert {"_load_analyzer", "_load_theme_model"} <= names
    conf = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    hook = re.search(r"def post_worker_init\(worker\):(.*)", conf, re.S).group(1)
    assert "warm_up_in_background()" in hook and "TECHVALLEY_WARMUP" in hook
    assert "preload_app = False" in conf
