"""The transactional outbox: a task to send to the broker, written in the same
transaction as the batch or run it works on (services.py explains the life of a row)."""

from __future__ import annotations

from django.db import models


class OutboxMessage(models.Model):
    # One row per piece of work: the task's dotted name and its kwargs (see services.message_key).
    key = models.CharField(max_length=255, unique=True)
    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last time the message reached the broker; null while it never did (broker down).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return self.key
