from django.urls import path, re_path

from techvalley.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("complex/", views.complex_dashboard, name="complex"),
    path("transition/", views.transition, name="transition"),
    path("transition/companies/<int:pk>/", views.company_transition, name="company_transition"),
    path("map/", views.map_page, name="map"),
    path("opendata/", views.opendata_list, name="opendata"),
    re_path(r"^opendata/(?P<key>[\w.-]+)\.dictionary\.csv$", views.dataset_dictionary, name="dataset_dictionary"),
    re_path(r"^opendata/(?P<key>[\w.-]+)\.(?P<fmt>csv|parquet|json)$", views.dataset_download, name="dataset_download"),
    re_path(r"^opendata/(?P<key>[\w.-]+)/$", views.dataset_detail, name="dataset"),
    path("report/", views.report_page, name="report"),
    re_path(r"^report/monthly\.(?P<fmt>pdf|xlsx|hwpx)$", views.report_download, name="report_download"),
]
