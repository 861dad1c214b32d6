from django.apps import AppConfig


class DemoDataConfig(AppConfig):
    """The marker of a demo database (load_demo_data). Its own small app, so that its one
    table has a migration history of its own."""

    name = "wuhai_coverage.demodata"
    label = "demodata"
    default_auto_field = "django.db.models.BigAutoField"
