from django.urls import path

from techvalley.facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.resource_list, name="resource_list"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/book/", views.booking_new, name="booking_new"),
    path("resources/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("feeds/resource/<str:token>.ics", views.resource_ics, name="resource_ics"),
    path("feeds/organisation/<str:token>.ics", views.org_ics, name="org_ics"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/action/", views.booking_action, name="booking_action"),
    path("operate/", views.approvals, name="approvals"),
    path("operate/invoices/", views.invoice_issue, name="invoice_issue"),
    path("operate/utilisation/", views.utilisation, name="utilisation"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("operate/satisfaction/", views.satisfaction_summary, name="satisfaction_summary"),
    path("training/", views.course_list, name="course_list"),
    path("training/<int:pk>/", views.course_detail, name="course_detail"),
    path("training/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("training/<int:pk>/complete/", views.course_complete, name="course_complete"),
    path("training/sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("training/enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("training/enrolments/<int:pk>/satisfaction/", views.satisfaction, name="satisfaction"),
    path("training/enrolments/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.verify, name="verify"),
    # the operators' forms
    path("operate/centres/new/", views.centre_new, name="centre_new"),
    path("operate/centres/<int:pk>/edit/", views.centre_edit, name="centre_edit"),
    path("operate/centres/<int:pk>/resources/new/", views.resource_new, name="resource_new"),
    path("operate/centres/<int:pk>/closures/new/", views.closure_new, name="closure_new"),
    path("operate/closures/<int:pk>/edit/", views.closure_edit, name="closure_edit"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/qualifications/", views.qualification_list, name="qualification_list"),
    path("qualifications/<int:pk>/revoke/", views.qualification_revoke, name="qualification_revoke"),
    path("training/new/", views.course_new, name="course_new"),
    path("training/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("training/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("training/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
]
