"""The groups' permissions for the models of 0013, and the end of the signatory permissions.

A renamed model keeps its content type but not its permission codenames: "add_signatory"
would linger and "add_participant" would belong to nobody. Editors enter participants,
commitments and what became of them, and bodies with their other names (and may remove
an agreement's parts and a body's other names, as for people); Viewers read them;
Administrators may do everything.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = ["participant", "commitment", "implementationevent", "body", "bodyname"]
CHILDREN = ["participant", "commitment", "implementationevent", "bodyname"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("agreements")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="agreements")
    ours.filter(codename__endswith="_signatory").delete()
    codenames = [f"{action}_{model}" for model in EDITABLE for action in ("view", "add", "change")]
    codenames += [f"delete_{model}" for model in CHILDREN]
    groups = {
        "Editors": ours.filter(codename__in=codenames),
        "Viewers": ours.filter(codename__in=[f"view_{model}" for model in EDITABLE]),
        "Administrators": ours.filter(content_type__model__in=EDITABLE),
    }
    for name, permissions in groups.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0013_bodies_participants_commitments_disclosure"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
