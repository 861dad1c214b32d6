from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wuhai_coverage.core"
    label = "core"
    verbose_name = "基础数据与用户 / Regions and people"
