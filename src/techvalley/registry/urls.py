from django.urls import path

from techvalley.registry import views

app_name = "registry"
urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("companies/export.xlsx", views.company_export, name="company_export"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("companies/<int:pk>/edit/", views.company_edit, name="company_edit"),
    path("companies/<int:pk>/industry/", views.place_industry, name="company_industry"),
    path("companies/<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/withdraw/", views.contact_withdraw, name="contact_withdraw"),
    path("review/", views.review_queue, name="review_queue"),
    path("imports/", views.import_list, name="import_list"),
    path("structure/", views.structure, name="structure"),
    path("complexes/", views.complexes, name="complexes"),
    path("complexes/export.xlsx", views.complexes_export, name="complexes_export"),
    path("rules/", views.complex_rules, name="complex_rules"),
    path("rules/<int:pk>/remove/", views.complex_rule_remove, name="complex_rule_remove"),
]
