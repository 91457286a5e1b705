"""A signatory becomes a participant: someone who took part in an agreement in a role.

The table and its history are renamed, not rebuilt, so every row and every history
record stays; the next migration adds the role (today's rows signed) and the rest.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("agreements", "0011_countries_kosovo_and_everyday_names")]

    operations = [
        migrations.RemoveConstraint(model_name="signatory", name="signatory_once_per_agreement"),
        migrations.RenameModel(old_name="Signatory", new_name="Participant"),
        migrations.RenameModel(old_name="HistoricalSignatory", new_name="HistoricalParticipant"),
    ]
