"""Request middleware: the signed-in user is the actor of every change the request makes."""

from techvalley.core.audit import _actor


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = None
        if user is not None and user.is_authenticated:
            token = _actor.set((user, user.get_username()))
        try:
            return self.get_response(request)
        finally:
            if token is not None:
                _actor.reset(token)
