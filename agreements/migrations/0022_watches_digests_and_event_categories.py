"""Watches, readers' digest settings and digests (issue 18), and the outbox's categories as
rows: the events already recorded get theirs from their ``categories`` list."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def tag_recorded_events(apps, schema_editor):
    ChangeEvent = apps.get_model("agreements", "ChangeEvent")
    ChangeEventCategory = apps.get_model("agreements", "ChangeEventCategory")
    tags = (
        ChangeEventCategory(event_id=pk, slug=slug)
        for pk, slugs in ChangeEvent.objects.values_list("pk", "categories").iterator()
        for slug in set(slugs or ())
    )
    ChangeEventCategory.objects.bulk_create(tags, batch_size=2_000)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0020_change_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeEventCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name="Digest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("daily", "Daily"), ("weekly", "Weekly"), ("never", "No e-mail")],
                        max_length=8,
                    ),
                ),
                ("after", models.BigIntegerField()),
                ("up_to", models.BigIntegerField()),
                ("changes", models.PositiveIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed (its changes go in the next digest)"),
                        ],
                        default="sending",
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["-id"],
            },
        ),
        migrations.CreateModel(
            name="Reader",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("daily", "Daily"), ("weekly", "Weekly"), ("never", "No e-mail")],
                        default="daily",
                        help_text="How often the changes to what you watch are e-mailed to you.",
                        max_length=8,
                    ),
                ),
                (
                    "told_up_to",
                    models.BigIntegerField(
                        default=0,
                        help_text="The last change (outbox id) a digest has told; later ones come next.",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Watch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(fields=["party_b", "id"], name="change_event_party_b"),
        ),
        migrations.AddIndex(
            model_name="changeevent",
            index=models.Index(fields=["kind", "id"], name="change_event_kind"),
        ),
        migrations.AddField(
            model_name="changeeventcategory",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="category_tags",
                to="agreements.changeevent",
            ),
        ),
        migrations.AddField(
            model_name="digest",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="digests",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reader",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reader",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="watch",
            name="category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="watches",
                to="agreements.clausecategory",
            ),
        ),
        migrations.AddField(
            model_name="watch",
            name="country",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.country",
            ),
        ),
        migrations.AddField(
            model_name="watch",
            name="party_a",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.country",
                verbose_name="party A",
            ),
        ),
        migrations.AddField(
            model_name="watch",
            name="party_b",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agreements.country",
                verbose_name="party B",
            ),
        ),
        migrations.AddField(
            model_name="watch",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="watches",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="changeeventcategory",
            index=models.Index(fields=["slug", "event"], name="change_event_category"),
        ),
        migrations.AddConstraint(
            model_name="changeeventcategory",
            constraint=models.UniqueConstraint(
                fields=("event", "slug"),
                name="change_event_category_once",
                violation_error_message="The change already has this category.",
            ),
        ),
        migrations.AddConstraint(
            model_name="digest",
            constraint=models.CheckConstraint(
                condition=models.Q(("up_to__gt", models.F("after"))),
                name="digest_tells_changes",
                violation_error_message="A digest tells at least one change.",
            ),
        ),
        migrations.AddConstraint(
            model_name="digest",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["sending", "sent", "failed"])),
                name="digest_state_valid",
                violation_error_message="Choose the state of the digest from the list.",
            ),
        ),
        migrations.AddConstraint(
            model_name="digest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "failed"), _negated=True),
                fields=("user", "up_to"),
                name="digest_once",
                violation_error_message="These changes were already told to this reader.",
            ),
        ),
        migrations.AddConstraint(
            model_name="reader",
            constraint=models.CheckConstraint(
                condition=models.Q(("period__in", ["daily", "weekly", "never"])),
                name="reader_period_valid",
                violation_error_message="Choose how often from the list.",
            ),
        ),
        migrations.AddConstraint(
            model_name="reader",
            constraint=models.CheckConstraint(
                condition=models.Q(("told_up_to__gte", 0)),
                name="reader_cursor_not_negative",
                violation_error_message="The last change told cannot be below zero.",
            ),
        ),
        migrations.AddConstraint(
            model_name="watch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("category__isnull", True),
                        ("country__isnull", True),
                        ("party_a__isnull", False),
                        ("party_b__isnull", False),
                    ),
                    models.Q(
                        ("category__isnull", True),
                        ("country__isnull", False),
                        ("party_a__isnull", True),
                        ("party_b__isnull", True),
                    ),
                    models.Q(
                        ("category__isnull", False),
                        ("country__isnull", True),
                        ("party_a__isnull", True),
                        ("party_b__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="watch_one_thing",
                violation_error_message="Watch one pair, one country or one category.",
            ),
        ),
        migrations.AddConstraint(
            model_name="watch",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("party_a__isnull", True), ("party_a__lt", models.F("party_b")), _connector="OR"
                ),
                name="watch_pair_distinct_and_ordered",
                violation_error_message="An agreement needs two different parties; both are the same country.",
            ),
        ),
        migrations.AddConstraint(
            model_name="watch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("party_a__isnull", False)),
                fields=("user", "party_a", "party_b"),
                name="watch_pair_once",
                violation_error_message="You already watch this pair.",
            ),
        ),
        migrations.AddConstraint(
            model_name="watch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("country__isnull", False)),
                fields=("user", "country"),
                name="watch_country_once",
                violation_error_message="You already watch this country.",
            ),
        ),
        migrations.AddConstraint(
            model_name="watch",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", False)),
                fields=("user", "category"),
                name="watch_category_once",
                violation_error_message="You already watch this category.",
            ),
        ),
        migrations.RunPython(tag_recorded_events, migrations.RunPython.noop),
    ]
