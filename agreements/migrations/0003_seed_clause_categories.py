"""Seed the clause-category tree. Editors may rename, describe and extend it afterwards."""

from django.db import migrations

# (slug, name, description, children)
TREE = [
    ("counterterrorism", "Counterterrorism", "Cooperation against terrorism and violent extremism.", []),
    (
        "border-security",
        "Border security",
        "Securing and managing the common border.",
        [("joint-patrols", "Joint patrols", "Patrols carried out together by both parties' forces.")],
    ),
    (
        "intelligence-sharing",
        "Intelligence and information exchange",
        "Sharing intelligence, information and experience.",
        [],
    ),
    (
        "defence-cooperation",
        "Defence cooperation",
        "Military cooperation between the parties' armed forces.",
        [
            ("logistics", "Logistics", "Logistical support: supply, transport, maintenance."),
            (
                "training-and-education",
                "Training and education",
                "Military training, education and exchanges.",
            ),
            ("technical-assistance", "Technical assistance", "Technical support and know-how."),
            (
                "military-support-and-equipment",
                "Military support and equipment",
                "Arms, equipment and other military support.",
            ),
            ("joint-exercises", "Joint exercises", "Exercises held together by both parties."),
            ("military-advisers", "Military advisers", "Advisers sent to the other party's forces."),
            ("defence-industry", "Defence industry", "Cooperation in defence production and research."),
        ],
    ),
    (
        "extradition",
        "Extradition and handover of suspects",
        "Surrender of wanted persons and suspects between the parties.",
        [],
    ),
    (
        "disarmament",
        "Disarmament and relocation of armed groups",
        "Disarming armed groups and moving them away from the border.",
        [],
    ),
    ("maritime-security", "Maritime security", "Security at sea and in shared waters.", []),
    ("cyber-security", "Cyber security", "Security of networks and information systems.", []),
    ("reconstruction", "Reconstruction", "Rebuilding after conflict.", []),
]


def seed(apps, schema_editor):
    ClauseCategory = apps.get_model("agreements", "ClauseCategory")
    for slug, name, description, children in TREE:
        parent, _ = ClauseCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        for child_slug, child_name, child_description in children:
            ClauseCategory.objects.get_or_create(
                slug=child_slug,
                defaults={"name": child_name, "description": child_description, "parent": parent},
            )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_load_countries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
