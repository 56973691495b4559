from django.urls import path

from techvalley.collaboration import views

app_name = "collaboration"
urlpatterns = [
    path("", views.index, name="index"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/export.xlsx", views.agreement_export, name="agreement_export"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/<int:pk>/status/", views.follow_up_status, name="follow_up_status"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("catalogue/", views.catalogue_list, name="catalogue_list"),
    path("catalogue/new/", views.catalogue_new, name="catalogue_new"),
    path("catalogue/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogue/export.json", views.catalogue_export, {"fmt": "json"}, name="catalogue_export_json"),
    path("catalogue/export.csv", views.catalogue_export, {"fmt": "csv"}, name="catalogue_export_csv"),
    path("catalogue/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogue/<int:pk>/edit/", views.catalogue_edit, name="catalogue_edit"),
    path("expertise/", views.expert_list, name="expert_list"),
    path("expertise/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("match/", views.match, name="match"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/engage/", views.engagement_new, name="engagement_new"),
    path("engagements/<int:pk>/advance/", views.engagement_advance, name="engagement_advance"),
    path("engagements/<int:pk>/outcomes/", views.outcome_add, name="outcome_add"),
    path("company/", views.my_company, name="my_company"),
    path("company/<int:pk>/", views.company, name="company"),
    path("company/<int:pk>/needs/new/", views.need_new, name="need_new"),
]
