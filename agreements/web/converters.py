"""URL converters shared by the report pages and the report API."""

from django.urls import register_converter


class CountryCodeConverter:
    """An ISO code: alpha-2 for current states, four letters for former ones (any case)."""

    regex = "[A-Za-z]{2}(?:[A-Za-z]{2})?"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


class FormatSuffixConverter:
    """``.csv`` or ``.json`` at the end of a report's URL."""

    regex = "csv|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CommitmentFeedConverter:
    """Which commitments' feed: those falling due soon, or those overdue."""

    regex = "due-soon|overdue"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CountryCodeConverter, "country")
register_converter(CommitmentFeedConverter, "commitment_feed")
register_converter(FormatSuffixConverter, "report_format")
