from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "techvalley.collaboration"
    label = "collaboration"
    verbose_name = _("Industry–academia–government cooperation")
