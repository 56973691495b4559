from django.urls import path

from techvalley.green import views

app_name = "green"
urlpatterns = [
    path("", views.index, name="index"),
    path("complex/", views.complex_page, name="complex"),
    path("complex/export.csv", views.complex_export, name="complex_export"),
    path("complex/export.xlsx", views.complex_export, {"fmt": "xlsx"}, name="complex_export_xlsx"),
    path("company/<int:pk>/", views.company, name="company"),
    path("company/<int:pk>/export.csv", views.company_export, name="company_export"),
    path("company/<int:pk>/measures/new/", views.measure_new, name="measure_new"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
]
