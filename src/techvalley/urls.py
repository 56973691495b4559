"""The root URLconf: Django's own routes, the API, and every app's pages as registered with the spine."""

from django.contrib import admin
from django.urls import include, path

from techvalley.api import api
from techvalley.core import spine

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
] + [path(prefix, include(urlconf)) for prefix, urlconf in spine.platform.page_routes]

handler400 = "techvalley.core.views.error_400"
handler403 = "techvalley.core.views.error_403"
handler404 = "techvalley.core.views.error_404"
handler500 = "techvalley.core.views.error_500"
