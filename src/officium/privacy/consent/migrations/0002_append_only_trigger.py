"""The database refuses to change a consent record (CO1): an UPDATE raises. Deleting stays
possible for erasure of the subject (the rights app's erasure deletes registered rows in bulk);
the model and its manager refuse deletes outside ``ledger.erase_subject``."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION consent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'consent records are append-only (%%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_append_only BEFORE UPDATE ON consent_consentrecord
  FOR EACH ROW EXECUTE FUNCTION consent_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS consent_append_only ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER consent_append_only BEFORE UPDATE ON consent_consentrecord
BEGIN SELECT RAISE(ABORT, 'consent records are append-only (UPDATE)'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS consent_append_only;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
