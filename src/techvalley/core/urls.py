from django.contrib.auth.views import LogoutView
from django.urls import path

from techvalley.core import views

app_name = "core"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_list, name="audit_list"),
]
