from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("比对与执法")

    def ready(self) -> None:
        from enforcement import labels

        labels.register()
