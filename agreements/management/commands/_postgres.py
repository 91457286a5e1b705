"""What backup_database and restore_database share: the PostgreSQL client's connection options."""

import os

from django.core.management.base import CommandError
from django.db import connection


def postgres_client_args() -> tuple[list[str], dict[str, str]]:
    """Options that point pg_dump / pg_restore at the configured database, and their environment.

    The password goes in the environment (``PGPASSWORD``), never on a command line that
    ``ps`` shows to every user of the machine.
    """
    if connection.vendor != "postgresql":
        raise CommandError(
            f"Backups with pg_dump need PostgreSQL; this database is {connection.vendor}. "
            "Use the portable JSON export instead: python manage.py export_data / import_data "
            "(docs/operations.md)."
        )
    settings = connection.settings_dict
    args = ["--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env
