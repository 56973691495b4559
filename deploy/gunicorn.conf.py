"""gunicorn settings for the Techno Valley platform (``gunicorn -c deploy/gunicorn.conf.py
techvalley.wsgi:application``). Behind nginx (deploy/nginx/techvalley.conf) on the loopback
address; every value can be changed with an environment variable in /etc/techvalley/env.
"""

import multiprocessing
import os

# Where nginx sends requests: the loopback address (never the open network).
bind = os.environ.get("TECHVALLEY_BIND", "127.0.0.1:8000")

# Threads share a worker's memory (the classification tables, the matching index); a few
# processes each with a few threads suit this I/O-bound platform. On SQLite keep it small:
# writers queue for one lock.
workers = int(os.environ.get("TECHVALLEY_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("TECHVALLEY_THREADS", 4))

# Registry imports of a whole city's file, PDF invoices and energy reports can take a while.
timeout = int(os.environ.get("TECHVALLEY_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5

# Restart each worker now and then, so memory held by one big report is given back.
max_requests = 2000
max_requests_jitter = 200

# Only nginx on this machine may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("TECHVALLEY_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request line and header limits (nginx enforces the body size: client_max_body_size).
limit_request_line = 8190
limit_request_fields = 100

# Logs: files under /var/log/techvalley (deploy/logrotate/techvalley rotates them; USR1 reopens).
_logs = os.environ.get("TECHVALLEY_LOG_DIR", "")
accesslog = os.path.join(_logs, "access.log") if _logs else "-"
errorlog = os.path.join(_logs, "error.log") if _logs else "-"
loglevel = os.environ.get("TECHVALLEY_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
capture_output = True
proc_name = "techvalley"

# Each worker imports the platform itself (no database connection is shared across a fork).
preload_app = False

raw_env = [f"DJANGO_SETTINGS_MODULE={os.environ.get('DJANGO_SETTINGS_MODULE', 'techvalley.settings')}"]


def post_worker_init(worker):
    """Each worker, once the platform is loaded (after the fork: no thread crosses it), loads in
    the background what is slow on first use — the apps' registered warm-ups (``spine.warmup``:
    the Korean language models of matching and survey themes, a few seconds each) — instead of a
    user's first request after every start or recycle paying for it. TECHVALLEY_WARMUP=0: off."""
    if os.environ.get("TECHVALLEY_WARMUP", "1") != "0":
        from techvalley.core.spine import platform

        platform.warm_up_in_background()
