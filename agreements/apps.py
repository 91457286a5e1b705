from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _keep_search_index(using: str = "default", **kwargs) -> None:
    """SQLite alters a column by copying the table, which drops the table's triggers: after any
    migration, the full-text index's triggers are put back (``agreements.search.sqlite``)."""
    from .search import sqlite

    connection = connections[using]
    if connection.vendor == "sqlite":
        sqlite.ensure_index(connection)


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Bilateral agreements"

    def ready(self) -> None:
        from . import accounts, dataversion

        accounts.connect_receivers()
        # Every connection, in every process, moves the data version on as it commits a write.
        connection_created.connect(dataversion.watch, dispatch_uid="agreements.data_version")
        post_migrate.connect(_keep_search_index, sender=self, dispatch_uid="agreements.search_index")
