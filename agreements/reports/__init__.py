"""The read side: the reports, each agreement's JSON document, the CSV export and the agreement page.

Everything here reads; nothing writes. The pages, the report API and the agreements API
all call these functions, and the SQL they run is spelt for each engine by ``sql``.
The reports, each computed in the database:

* ``pair_summary`` — what two countries have with each other, and what is in force on a day;
* ``country_partners`` — one country's counterparts, ranked;
* ``pair_network`` — every pair (edges) and country (nodes), filtered;
* ``dyad_year_panel`` — one row per pair and year, streamed;
* ``commitments_report`` — what falls due soon and what is overdue, across pairs;
* ``pair_changes`` — what changed for two countries between two days.
"""

from .agreement import agreement_for_page
from .changes import PairChanges, pair_changes
from .commitments import CommitmentsReport, commitments_report
from .inputs import AgreementFilters, ReportInputError, UnknownCountryError
from .network import PairNetwork, pair_network
from .pair import PairSummary, pair_summary
from .panel import DyadYearPanel, dyad_year_panel
from .partners import CountryPartners, country_partners

__all__ = [
    "AgreementFilters",
    "CommitmentsReport",
    "CountryPartners",
    "DyadYearPanel",
    "PairChanges",
    "PairNetwork",
    "PairSummary",
    "ReportInputError",
    "UnknownCountryError",
    "agreement_for_page",
    "commitments_report",
    "country_partners",
    "dyad_year_panel",
    "pair_changes",
    "pair_network",
    "pair_summary",
]
