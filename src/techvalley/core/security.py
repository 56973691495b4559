"""Security rules kept in one place: the login throttle, the client's address, and the
Content-Security-Policy header.

The throttle counts failed sign-ins per (username, client address) and per client address
alone, in a fixed window (``TECHVALLEY_LOGIN_WINDOW_SECONDS``). Past
``TECHVALLEY_LOGIN_MAX_FAILURES`` failures for a username from one address — or
``TECHVALLEY_LOGIN_MAX_FAILURES_PER_IP`` from one address whatever the username, or the same
number of bad API tokens — further attempts are refused with 429 and a ``Retry-After`` until the
window ends, even with the right password: a guesser learns nothing. The counts live in the
``throttle`` cache, which every process of an installation shares (files in the data
directory, or whatever cache an operator configures), so four gunicorn workers are not four
times as lenient. A successful sign-in clears its (username, address) count.

Usernames are counted case-folded and hashed, so the cache never holds a username or an
address in clear.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

THROTTLE_CACHE = "throttle"

#: The message a refused sign-in shows (Korean first).
TOO_MANY_ATTEMPTS = (
    "로그인 시도가 너무 많습니다. {minutes}분 후에 다시 시도하세요. 비밀번호를 잊었다면 구청 담당자에게 문의하세요. "
    "/ Too many sign-in attempts. Try again in {minutes} minutes; if you forgot your password, ask the district office."
)
#: The message a refused API call shows (after too many bad tokens from one address).
TOO_MANY_BAD_TOKENS = (
    "잘못된 API 토큰이 너무 많이 사용되었습니다. {minutes}분 후에 다시 시도하세요. "
    "/ Too many invalid API tokens from this address. Try again in {minutes} minutes."
)


def client_ip(request) -> str:
    """The address of the client: ``REMOTE_ADDR``, or — behind ``TECHVALLEY_PROXY_HOPS`` trusted
    reverse proxies (nginx) — the address the nearest of them saw, read from the right of
    ``X-Forwarded-For`` (entries further left are whatever the client claimed)."""
    hops = int(getattr(settings, "TECHVALLEY_PROXY_HOPS", 0))
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "unknown"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead; if not, how many seconds until it may."""

    allowed: bool
    retry_after: int = 0

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


class Throttle:
    """Failures counted in a fixed window per key; see the module docstring."""

    def __init__(self, cache_alias: str = THROTTLE_CACHE):
        self.cache_alias = cache_alias

    @property
    def cache(self):
        return caches[self.cache_alias]

    @property
    def window(self) -> int:
        return int(settings.TECHVALLEY_LOGIN_WINDOW_SECONDS)

    def _keys(self, username: str | None, ip: str) -> list[tuple[str, int]]:
        keys = [(f"ip:{_digest(ip)}", int(settings.TECHVALLEY_LOGIN_MAX_FAILURES_PER_IP))]
        if username is not None:
            keys.append(
                (f"user:{_digest(username.strip().casefold(), ip)}", int(settings.TECHVALLEY_LOGIN_MAX_FAILURES))
            )
        return keys

    def check(self, username: str | None, ip: str) -> Verdict:
        """May this attempt go ahead? (Counts nothing.)"""
        now = time.time()
        wait = 0
        for key, limit in self._keys(username, ip):
            entry = self.cache.get(key)
            if entry and entry[0] >= limit:
                wait = max(wait, int(entry[1] + self.window - now) + 1)
        return Verdict(allowed=wait <= 0, retry_after=max(wait, 0))

    def fail(self, username: str | None, ip: str) -> None:
        """Count a failed attempt."""
        now = time.time()
        for key, _limit in self._keys(username, ip):
            count, started = self.cache.get(key) or (0, now)
            if now - started >= self.window:
                count, started = 0, now
            remaining = max(1, int(started + self.window - now) + 1)
            self.cache.set(key, (count + 1, started), timeout=remaining)

    def succeed(self, username: str, ip: str) -> None:
        """A right password clears the (username, address) count (not the address's)."""
        self.cache.delete(self._keys(username, ip)[1][0])

    def clear(self) -> None:
        self.cache.clear()


login_throttle = Throttle()


# --- Content-Security-Policy ----------------------------------------------------------------

#: The policy of every page: nothing from elsewhere, no inline script, no eval, no plugins, not
#: framed. Inline ``style`` attributes stay allowed (the templates use them for layout; they
#: cannot run code).
DEFAULT_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "frame-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "manifest-src": ["'self'"],
}

#: The policy of everything that is not a page (files, JSON, images): nothing may run, even if a
#: browser is made to open an uploaded SVG or HTML file from this site.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; sandbox"

#: Browser features no page uses.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(policy: dict[str, list[str]] | None = None, report_uri: str = "") -> str:
    policy = dict(policy if policy is not None else getattr(settings, "TECHVALLEY_CSP", DEFAULT_CSP))
    if report_uri:
        policy["report-uri"] = [report_uri]
    return "; ".join(f"{name} {' '.join(values)}" if values else name for name, values in policy.items())
