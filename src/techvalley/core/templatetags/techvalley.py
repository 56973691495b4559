"""Core's template library: app-free filters only.

Core imports no domain app: filters about an app's data live in that app's own library
(the registry's in ``{% load registry_tags %}``).
"""

from django import template

register = template.Library()
