from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("名册与参保数据")

    def ready(self) -> None:
        from enrollment import labels

        labels.register()
