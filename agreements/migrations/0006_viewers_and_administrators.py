"""Viewers (read everything, change nothing) and Administrators (everything in the app).

Administrators are also the only ones who may delete agreements, people and sources,
and who may edit the clause-category tree. Editors come from migration 0004.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("agreements")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="agreements")
    viewers, _ = Group.objects.get_or_create(name="Viewers")
    viewers.permissions.set(ours.filter(codename__startswith="view_"))
    administrators, _ = Group.objects.get_or_create(name="Administrators")
    administrators.permissions.set(ours)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Viewers", "Administrators"]).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0005_search_document_and_synthetic_flag")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
