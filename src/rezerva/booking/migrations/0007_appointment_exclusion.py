"""A5 on PostgreSQL: the database itself refuses two active appointments of one performer whose
blocks (buffers included) overlap. SQLite serialises writers, so placing's lock suffices there.

`btree_gist` lets an equality on performer_id sit in the same GiST index as the time range; the
extension needs a role allowed to create it (a superuser, or `CREATE` on the database with the
extension trusted, as it is since PostgreSQL 13)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_booking ADD CONSTRAINT booking_appointment_no_overlap
  EXCLUDE USING gist (
    performer_id WITH =,
    tstzrange(blocks_from, blocks_until, '[)') WITH &&
  ) WHERE (performer_id IS NOT NULL AND status IN ('pending', 'confirmed'));
"""
DROP = "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_appointment_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0006_appointments")]

    operations = [migrations.RunPython(forwards, backwards)]
