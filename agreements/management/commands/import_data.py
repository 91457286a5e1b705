from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings

from agreements.models import Agreement
from agreements.planner import refresh_statistics


class Command(BaseCommand):
    help = (
        "Replace the database's content with a file written by export_data: empties every table "
        "(flush), then loads the file (loaddata), in one transaction. Run migrate first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="A file written by export_data.")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask before replacing."
        )

    def handle(self, *args, backup: Path, interactive: bool, **options) -> None:
        if not backup.is_file():
            raise CommandError(f"No export file at {backup}.")
        present = Agreement.objects.count()
        if interactive and present:
            answer = input(
                f"This replaces the {present:,} agreements in the database and all else. Go on? [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing was changed.")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Rows written earlier in this transaction leave deferred foreign-key checks
                # pending, and PostgreSQL refuses to TRUNCATE a table with pending checks.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The migrations' reference data (countries, categories, groups) go too: the file
            # holds them as they were, under their ids, and loading on top could collide.
            call_command("flush", interactive=False, verbosity=0)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # The file's rows refer to rows further on; check them all at commit.
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # The file holds the history as it was. Setting a clause's categories fires
            # m2m_changed, which django-simple-history (unlike post_save) records even for a
            # raw load: a plain loaddata would add a "changed" row per clause.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(backup), verbosity=0)
        # Every table was replaced: the planner's statistics describe the old content.
        refresh_statistics()
        self.stdout.write(self.style.SUCCESS(f"Loaded {backup}; {Agreement.objects.count():,} agreements."))
