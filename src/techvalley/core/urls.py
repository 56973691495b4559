from django.contrib.auth.views import LogoutView
from django.urls import path

from techvalley.core import link_views, privacy, search_views, views

app_name = "core"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_list, name="audit_list"),
    path("search/", search_views.search, name="search"),
    path("links/add/", link_views.link_add, name="link_add"),
    path("links/<int:pk>/remove/", link_views.link_remove, name="link_remove"),
    path("links/candidates/", link_views.link_candidates, name="link_candidates"),
    path("my-data/", privacy.my_data, name="my_data"),
]
