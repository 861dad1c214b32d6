from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "wuhai_coverage.outbox"
    label = "outbox"
    verbose_name = "待发送任务 / Task outbox"
