from django.urls import path

from techvalley.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("", views.vacancy_list, name="vacancy_list"),
    path("centres/<slug:slug>/", views.centre_detail, name="centre_detail"),
    path("self-check/", views.self_check, name="self_check"),
    path("inquiry/", views.inquiry, name="inquiry"),
    path("inquiry/thanks/", views.inquiry_done, name="inquiry_done"),
    path("companies/<int:pk>/leases/", views.company_leases, name="company_leases"),
    path("manage/", views.manage, name="manage"),
    path("manage/centres/new/", views.centre_new, name="centre_new"),
    path("manage/centres/<slug:slug>/", views.centre_manage, name="centre_manage"),
    path("manage/centres/<slug:slug>/edit/", views.centre_edit, name="centre_edit"),
    path("manage/centres/<slug:slug>/units/new/", views.unit_new, name="unit_new"),
    path("manage/units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("manage/units/<int:pk>/move-in/", views.unit_move_in, name="unit_move_in"),
    path("manage/leases/<int:pk>/end/", views.lease_end, name="lease_end"),
    path("manage/audit/", views.audit, name="audit"),
    path("manage/audit.xlsx", views.audit_xlsx, name="audit_xlsx"),
    path("manage/funnel/", views.funnel, name="funnel"),
    path("manage/leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("manage/leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("manage/leads/<int:pk>/assign/", views.lead_assign, name="lead_assign"),
    path("manage/leads/<int:pk>/follow-ups/", views.lead_followup, name="lead_followup"),
    path("manage/follow-ups/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("manage/campaigns/", views.campaign_list, name="campaign_list"),
    path("manage/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("manage/campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("manage/roundtables/new/", views.roundtable_new, name="roundtable_new"),
    path("manage/roundtables/<int:pk>/", views.roundtable_detail, name="roundtable_detail"),
    path("manage/rules/", views.rules, name="rules"),
    path("manage/rules/new/", views.rules_new, name="rules_new"),
    path("manage/rules/<int:pk>/activate/", views.rules_activate, name="rules_activate"),
    path("manage/rules/shipped.json", views.shipped_rules_json, name="rules_shipped"),
]
