from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# What a backup holds: the tracker's tables (history included: it is the record of who changed
# what) and the accounts, groups and API tokens. Content types and permissions are rebuilt by
# Django and referred to by natural key; sessions and login-failure logs are not worth keeping.
EXPORTED = ["agreements", "auth.group", "auth.user", "authtoken.token"]


class Command(BaseCommand):
    help = (
        "Write every agreement, its parts and history, the reference data, users, groups and tokens "
        "to a portable JSON file (dumpdata; .json.gz/.json.xz compress). import_data reads it back "
        "into any database engine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="e.g. backups/tracker.json.gz")

    def handle(self, *args, output: Path, **options) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        # Natural foreign keys for content types and permissions, whose ids differ between
        # databases; every other row keeps its id, so links and URLs survive the trip.
        call_command("dumpdata", *EXPORTED, natural_foreign=True, output=str(output), verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({output.stat().st_size:,} bytes)."))
