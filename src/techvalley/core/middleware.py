"""Request middleware: who acts (for the audit trail), and bad input answered as a 400 page."""

from django.shortcuts import render

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
