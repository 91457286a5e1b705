from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Bilateral agreements"

    def ready(self) -> None:
        from . import accounts

        accounts.connect_receivers()
