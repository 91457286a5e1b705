"""Clause categories carry the words that mark them, for the intake to propose categories.

The seeded categories get a first set (from the wording of agency reports on security
agreements); editors change them in the admin. Categories an editor added since get none
until someone writes them.
"""

from django.db import migrations, models

KEYWORDS = {
    "counterterrorism": ["terror", "extremis", "counterterror", "counter-terror", "Daesh", "ISIS", "ISIL"],
    "border-security": ["border", "frontier", "boundary", "crossing", "smuggl", "infiltrat", "pilgrim"],
    "joint-patrols": ["joint patrol", "patrolling together"],
    "intelligence-sharing": [
        "intelligence",
        "information exchange",
        "exchange of information",
        "exchange information",
        "share information",
        "sharing information",
        "information sharing",
        "consultation",
    ],
    "defence-cooperation": [
        "defence cooperation",
        "defense cooperation",
        "military cooperation",
        "defence ties",
        "defense ties",
        "armed forces",
        "national army",
    ],
    "logistics": ["logistic", "supply", "supplies", "transport", "maintenance"],
    "training-and-education": ["train", "educational", "education", "academ", "courses", "cadet"],
    "technical-assistance": ["technical", "know-how", "expertise"],
    "military-support-and-equipment": [
        "military support",
        "military aid",
        "military assistance",
        "equipment",
        "weapon",
        "arms",
        "ammunition",
        "hardware",
    ],
    "joint-exercises": ["exercise", "drill", "manoeuvre", "maneuver"],
    "military-advisers": ["adviser", "advisor", "military advis"],
    "defence-industry": [
        "defence industr",
        "defense industr",
        "defence production",
        "defense production",
        "joint production",
        "co-production",
        "manufactur",
    ],
    "extradition": ["extradit", "hand over", "handover", "surrender", "wanted person", "fugitive"],
    "disarmament": ["disarm", "relocat", "armed group", "militia", "demobili"],
    "maritime-security": ["maritime", "naval", "navy", "coast guard", "at sea", "sea lane", "waters"],
    "cyber-security": ["cyber", "information security", "hacking"],
    "reconstruction": ["reconstruct", "rebuild", "rebuilding", "recovery of"],
}


def seed(apps, schema_editor):
    ClauseCategory = apps.get_model("agreements", "ClauseCategory")
    for slug, words in KEYWORDS.items():
        # Only where nobody has written any yet: a rerun never overwrites an editor's list.
        ClauseCategory.objects.filter(slug=slug, keywords="").update(keywords="\n".join(words))


class Migration(migrations.Migration):
    dependencies = [("agreements", "0016_name_keys")]

    operations = [
        migrations.AddField(
            model_name="clausecategory",
            name="keywords",
            field=models.TextField(
                blank=True,
                help_text="Words and phrases that mark a clause of this category, one a line. Each is matched at the start of a word, in any case: “terror” matches terrorism and terrorists, “joint patrol” matches joint patrols.",
            ),
        ),
        migrations.AddField(
            model_name="historicalclausecategory",
            name="keywords",
            field=models.TextField(
                blank=True,
                help_text="Words and phrases that mark a clause of this category, one a line. Each is matched at the start of a word, in any case: “terror” matches terrorism and terrorists, “joint patrol” matches joint patrols.",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
