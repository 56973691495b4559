from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "techvalley.tenancy"
    label = "tenancy"
    verbose_name = _("Knowledge-industry centres and attraction")
