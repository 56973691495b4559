"""No two live bookings of a resource overlap, guaranteed by PostgreSQL: an exclusion constraint
over the bookings' time ranges (btree_gist lets the resource's id share the GiST index).

On SQLite there is no such constraint; ``services.book`` takes the write lock (BEGIN IMMEDIATE)
before it checks for an overlap, so two writers never both see the slot free.
"""

from django.db import migrations

LIVE = "('pending', 'confirmed', 'offered')"
CREATE = f"""
ALTER TABLE facilities_booking ADD CONSTRAINT booking_no_overlap
EXCLUDE USING gist (resource_id WITH =, tstzrange(start, "end", '[)') WITH &&)
WHERE (status IN {LIVE})
"""
DROP = "ALTER TABLE facilities_booking DROP CONSTRAINT IF EXISTS booking_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
