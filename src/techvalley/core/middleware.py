"""Request middleware: who acts (for the audit trail), bad input answered as a 400 page, the
security headers and the login throttle."""

from django.http import JsonResponse
from django.shortcuts import render

from techvalley.core import security
from techvalley.core.audit import _actor
from techvalley.core.validation import BadInput, has_control_chars


class AuditActorMiddleware:
    """The signed-in user is the actor of every change the request makes.

    The actor is set for every request and reset after it, so that what the API's token
    authentication sets inside the request never outlives it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            token = _actor.set((user, user.get_username()))
        else:
            token = _actor.set(None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


class BadInputMiddleware:
    """Pages answer ``BadInput`` with the site's 400 page; control characters in the query
    string or form fields (a NUL byte PostgreSQL cannot store) are refused before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            bad = _control_chars_in(request)
            if bad is not None:
                return self._answer(
                    request,
                    BadInput(
                        f"{bad}: 허용되지 않는 제어 문자(NUL 등)가 있습니다. / contains control characters.", field=bad
                    ),
                )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadInput):
            return self._answer(request, exception)
        return None

    @staticmethod
    def _answer(request, exc: BadInput):
        return render(request, "core/error.html", {"status": exc.status, "message": exc.message}, status=exc.status)


def _control_chars_in(request) -> str | None:
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if has_control_chars(key) or any(has_control_chars(v) for v in values):
                return key
    return None


class SecurityHeadersMiddleware:
    """Every page carries the Content-Security-Policy (no inline script, nothing from elsewhere;
    ``core/security.py``); every other response (files, JSON) a sandbox in which nothing runs;
    all a Permissions-Policy that turns off unused features."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = security.content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        is_page = response.get("Content-Type", "").startswith("text/html")
        response.headers.setdefault("Content-Security-Policy", self.policy if is_page else security.FILE_CSP)
        response.headers.setdefault("Permissions-Policy", security.PERMISSIONS_POLICY)
        return response


class LoginThrottleMiddleware:
    """Too many failed sign-ins (the login page, the admin's) or bad API tokens from one
    address are answered 429 with a Korean-first message until the window ends; see
    ``core/security.py`` for the counting."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._login_paths: frozenset[str] | None = None

    def login_paths(self) -> frozenset[str]:
        if self._login_paths is None:
            from django.urls import NoReverseMatch, reverse

            paths = set()
            for name in ("core:login", "admin:login"):
                try:
                    paths.add(reverse(name))
                except NoReverseMatch:
                    pass
            self._login_paths = frozenset(paths)
        return self._login_paths

    def __call__(self, request):
        if request.method == "POST" and request.path in self.login_paths():
            return self._sign_in(request)
        if request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META:
            return self._token_call(request)
        return self.get_response(request)

    def _sign_in(self, request):
        username = request.POST.get("username", "")[:150]
        ip = security.client_ip(request)
        throttle = security.login_throttle
        verdict = throttle.check(username, ip)
        if not verdict.allowed:
            return self._refuse_page(request, verdict)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code in (301, 302, 303) and user is not None and user.is_authenticated:
            throttle.succeed(username, ip)
        elif response.status_code == 200:  # the form came back: a wrong username or password
            throttle.fail(username, ip)
        return response

    def _token_call(self, request):
        ip = security.client_ip(request)
        throttle = security.login_throttle
        verdict = throttle.check(None, ip)
        if not verdict.allowed:
            response = JsonResponse(
                {
                    "code": "too_many_attempts",
                    "message": security.TOO_MANY_BAD_TOKENS.format(minutes=verdict.minutes),
                    "field": None,
                    "detail": {"retry_after": verdict.retry_after},
                },
                status=429,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Retry-After"] = str(verdict.retry_after)
            return response
        response = self.get_response(request)
        if response.status_code == 401:
            throttle.fail(None, ip)
        return response

    @staticmethod
    def _refuse_page(request, verdict: security.Verdict):
        from django.contrib.auth.forms import AuthenticationForm

        context = {
            "form": AuthenticationForm(request),
            "next": request.POST.get("next", ""),
            "throttled": security.TOO_MANY_ATTEMPTS.format(minutes=verdict.minutes),
        }
        response = render(request, "core/login.html", context, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
