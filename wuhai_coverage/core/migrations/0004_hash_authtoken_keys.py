"""Keys issued before hashing lived in clear in DRF's `authtoken_token` table. Each one
becomes a hashed ApiToken (so the partners' systems keep working), valid
API_TOKEN_DAYS from now, and the clear table is dropped. `rest_framework.authtoken` is
no longer installed, so its table is read with plain SQL when it exists."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"


def hash_legacy_keys(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if LEGACY_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {LEGACY_TABLE}")
        rows = cursor.fetchall()
    ApiToken = apps.get_model("core", "ApiToken")
    now = timezone.now()
    expires = now + dt.timedelta(days=getattr(settings, "API_TOKEN_DAYS", 365))
    for key, user_id, created in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if not ApiToken.objects.filter(digest=digest).exists():
            ApiToken.objects.create(
                user_id=user_id, prefix=key[:8], digest=digest, created_at=created or now, expires_at=expires
            )
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_token")]
    operations = [migrations.RunPython(hash_legacy_keys, migrations.RunPython.noop)]
