import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ._postgres import postgres_client_args


class Command(BaseCommand):
    help = (
        "Replace the PostgreSQL database's tables with those of a backup_database file "
        "(pg_restore --clean --if-exists, in one transaction). Refused on SQLite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="A file written by backup_database (pg_dump -Fc).")

    def handle(self, *args, backup: Path, **options) -> None:
        if not backup.is_file():
            raise CommandError(f"No backup file at {backup}.")
        client_args, env = postgres_client_args()
        # One transaction: a restore that fails half-way leaves the database as it was.
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *client_args,
            str(backup),
        ]
        if subprocess.run(command, env=env).returncode != 0:
            raise CommandError("pg_restore failed (see above); the database was left as it was.")
        self.stdout.write(self.style.SUCCESS(f"Restored {backup}."))
