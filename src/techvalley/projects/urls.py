from django.urls import path

from techvalley.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.pledge_list, name="pledge_list"),
    path("<int:pk>/", views.pledge_public, name="pledge_public"),
    path("<int:pk>/card.<str:fmt>", views.card_download, name="card_download"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("import/", views.card_import, name="card_import"),
    path("<int:pk>/card/", views.card_page, name="card_page"),
    path("<int:pk>/edit/", views.edit_project, name="project_edit"),
    path("<int:pk>/override/", views.set_override, name="project_override"),
    path("<int:pk>/publish/", views.publish, name="project_publish"),
    path("<int:pk>/communication/", views.set_communication_source, name="communication_source"),
    path("<int:pk>/budget/", views.add_budget_line, name="budget_add"),
    path("<int:pk>/subprojects/", views.add_subproject, name="subproject_add"),
    path("<int:pk>/reports/new/", views.report_form, name="report_new"),
    path("<int:pk>/reports/<int:report_pk>/edit/", views.report_form, name="report_edit"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="report_action"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
