from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("宣传引导")

    def ready(self) -> None:
        from outreach.pension.calculator import parameter_label
        from wuhai_coverage.core import labels

        labels.register_parameters(lambda name: label if (label := parameter_label(name)) != name else None)
