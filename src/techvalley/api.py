"""The JSON API (OpenAPI at /api/docs and /api/openapi.json).

Machine clients send ``Authorization: Bearer <token>`` (tokens from ``techvalley token``);
browsers use their session (and the CSRF token for writes). Anonymous callers see public data.
Every endpoint reads through the same selectors as the pages, so scoping is identical.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from techvalley.core import spine
from techvalley.core.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(key=token, user__is_active=True).first()
        if found is None:
            raise AuthenticationError()
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        request.user = found.user
        return found.user


class SessionOrAnonymous:
    """The signed-in browser user, or the anonymous public (who see public data only)."""

    openapi_type = None

    def __call__(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # a bearer token was sent: it must be valid
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                from ninja.utils import check_csrf

                if check_csrf(request) is not None:
                    return None
            return user
        return AnonymousUser()


api = NinjaAPI(
    title="Techno Valley platform API",
    version="1",
    description="신평·장림 낙동강 테크노밸리 플랫폼 API — registry, KSIC, audit.",
    auth=[BearerToken(), SessionOrAnonymous()],
    urls_namespace="api",
)

# Each app registers its router with the spine (its contributions.py); none is named here.
for _prefix, _router in spine.platform.routers():
    api.add_router(_prefix, _router)
