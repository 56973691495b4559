"""Each booking's day in Asia/Seoul, so calendars count and pick a month's bookings per day in SQL."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from django.utils import timezone

    Booking = apps.get_model("facilities", "Booking")
    for b in Booking.objects.only("id", "start").iterator():
        Booking.objects.filter(pk=b.pk).update(day=timezone.localtime(b.start).date())


class Migration(migrations.Migration):
    dependencies = [("facilities", "0002_no_overlap")]
    operations = [
        migrations.AddField(model_name="booking", name="day", field=models.DateField(editable=False, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="booking", name="day", field=models.DateField(editable=False)),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["resource", "day"], name="facilities__resourc_babef7_idx"),
        ),
    ]
