"""The audit log refuses UPDATE and DELETE at the database level too (SQLite and PostgreSQL
triggers), so a statement run outside the application cannot rewrite history quietly; and the chain
head row every append locks."""

from django.db import migrations

GENESIS = "0" * 64

SQLITE = [
    "CREATE TRIGGER server_auditentry_no_update BEFORE UPDATE ON server_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER server_auditentry_no_delete BEFORE DELETE ON server_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS server_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS server_auditentry_no_delete;",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION server_auditentry_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER server_auditentry_no_change BEFORE UPDATE OR DELETE ON server_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION server_auditentry_append_only();",
    "CREATE TRIGGER server_auditentry_no_truncate BEFORE TRUNCATE ON server_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION server_auditentry_append_only();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS server_auditentry_no_change ON server_auditentry;",
    "DROP TRIGGER IF EXISTS server_auditentry_no_truncate ON server_auditentry;",
    "DROP FUNCTION IF EXISTS server_auditentry_append_only();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)
    apps.get_model("server", "AuditHead").objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS}
    )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("server", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
