"""The Editors group: enter and correct agreements, people and sources; read reference data.

Editors may remove an agreement's parts (a clause, a signatory, an event) because that
is part of correcting it; deleting whole agreements, people or sources is left to
administrators.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = [
    "agreement",
    "agreementsource",
    "agreementrelation",
    "signatory",
    "clause",
    "statusevent",
    "person",
    "personname",
    "source",
]
CHILDREN = ["agreementsource", "agreementrelation", "signatory", "clause", "statusevent", "personname"]
READ_ONLY = ["country", "clausecategory", "statusperiod"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    # The historical app config is a stub without ``models_module``; create_permissions
    # skips apps that have none, so lend it one for the call.
    app_config = apps.get_app_config("agreements")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in EDITABLE for action in ("view", "add", "change")]
    codenames += [f"delete_{model}" for model in CHILDREN]
    codenames += [f"view_{model}" for model in READ_ONLY]
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="agreements", codename__in=codenames)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_seed_clause_categories"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
