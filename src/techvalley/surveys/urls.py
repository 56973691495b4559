from django.urls import path

from techvalley.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.survey_new, name="survey_new"),
    path("<int:pk>/", views.survey_detail, name="survey_detail"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:pk>/status/", views.survey_status, name="survey_status"),
    path("<int:pk>/sections/new/", views.section_new, name="section_new"),
    path("<int:pk>/questions/new/", views.question_new, name="question_new"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<int:pk>/tracking/", views.tracking, name="tracking"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("r/<str:token>/", views.respond, name="respond"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("responses/<int:pk>/files/<str:code>/", views.response_file, name="response_file"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/published/", views.public_results, name="public_results"),
    path("<int:pk>/export.csv", views.export, name="export_csv"),
    path("<int:pk>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/import/", views.import_responses, name="import"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/new/", views.candidate_new, name="candidate_new"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/promote/", views.candidate_promote, name="candidate_promote"),
    path("communication/", views.communication_list, name="communication_list"),
    path("communication/new/", views.communication_new, name="communication_new"),
    path("communication/<int:pk>/", views.communication_edit, name="communication_edit"),
    path("communication/<int:pk>/delete/", views.communication_delete, name="communication_delete"),
]
