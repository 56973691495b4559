from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from techvalley.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("techvalley.core.urls")),
    path("registry/", include("techvalley.registry.urls")),
    path("plan/", include("techvalley.projects.urls")),
    path("green/", include("techvalley.green.urls")),
    path("", include("techvalley.portal.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
