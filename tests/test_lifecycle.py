"""Status derivation over realistic event sequences (pure functions, no database)."""

import datetime

import pytest

from agreements.choices import EventType as E
from agreements.choices import Status
from agreements.dates import DatePrecision, PartialDate, format_partial_date
from agreements.lifecycle import EventFact, derive_lifecycle, validate_events

IQ_IR = ("IQ", "IR")


def day(y: int, m: int, d: int) -> PartialDate:
    return PartialDate(datetime.date(y, m, d))


def month(y: int, m: int) -> PartialDate:
    return PartialDate(datetime.date(y, m, 1), DatePrecision.MONTH)


def year(y: int) -> PartialDate:
    return PartialDate(datetime.date(y, 1, 1), DatePrecision.YEAR)


def messages(events, parties=IQ_IR):
    return [(p.index, p.field, p.message) for p in validate_events(events, parties)]


class TestPartialDate:
    def test_a_month_is_stored_as_its_first_day_and_spans_the_month(self):
        july = PartialDate.of(datetime.date(2017, 7, 23), DatePrecision.MONTH)
        assert july.value == datetime.date(2017, 7, 1)
        assert july.end == datetime.date(2017, 7, 31)
        assert str(july) == "July 2017"

    def test_february_of_a_leap_year_ends_on_the_29th(self):
        assert month(2024, 2).end == datetime.date(2024, 2, 29)

    def test_a_partial_date_not_on_its_periods_first_day_is_refused(self):
        with pytest.raises(ValueError, match="first day of its period"):
            PartialDate(datetime.date(2017, 7, 23), DatePrecision.MONTH)

    def test_only_what_is_known_is_shown(self):
        value = datetime.date(2017, 1, 1)
        assert format_partial_date(value, DatePrecision.DAY) == "1 January 2017"
        assert format_partial_date(value, DatePrecision.YEAR) == "2017"
        assert format_partial_date(None, "") == ""

    def test_overlapping_periods_are_not_definitely_ordered(self):
        assert not month(2017, 7).definitely_before(day(2017, 7, 23))
        assert not day(2017, 7, 23).definitely_before(month(2017, 7))
        assert year(2016).definitely_before(day(2017, 1, 1))


class TestDerivation:
    def test_no_events_means_no_status(self):
        lifecycle = derive_lifecycle([])
        assert lifecycle.status is None
        assert lifecycle.periods == ()

    def test_the_2017_memorandum_is_signed(self):
        lifecycle = derive_lifecycle([EventFact(E.SIGNED, day(2017, 7, 23))])
        assert lifecycle.status == Status.SIGNED
        assert lifecycle.signed_on == day(2017, 7, 23)
        assert lifecycle.in_force_from is None

    def test_a_treaty_ratified_by_each_party_then_in_force(self):
        events = [
            EventFact(E.IN_FORCE, day(2019, 3, 1)),  # given out of order on purpose
            EventFact(E.SIGNED, day(2018, 5, 10)),
            EventFact(E.RATIFIED, day(2018, 11, 2), "IR"),
            EventFact(E.APPROVED, day(2019, 1, 15), "IQ"),
        ]
        assert messages(events) == []
        lifecycle = derive_lifecycle(events)
        assert lifecycle.status == Status.IN_FORCE
        assert lifecycle.signed_on == day(2018, 5, 10)
        assert lifecycle.in_force_from == day(2019, 3, 1)
        assert [p.status for p in lifecycle.periods] == [Status.SIGNED, Status.RATIFIED, Status.IN_FORCE]
        assert lifecycle.periods[0].end == day(2018, 11, 2)
        assert lifecycle.periods[-1].end is None

    def test_ratification_by_one_party_only_is_ratified_not_in_force(self):
        events = [EventFact(E.SIGNED, day(2018, 5, 10)), EventFact(E.RATIFIED, day(2018, 11, 2), "IR")]
        assert derive_lifecycle(events).status == Status.RATIFIED

    def test_suspension_and_resumption_return_to_in_force(self):
        events = [
            EventFact(E.SIGNED, day(2010, 1, 5)),
            EventFact(E.IN_FORCE, day(2010, 1, 5)),
            EventFact(E.SUSPENDED, day(2014, 6, 1), "IQ"),
            EventFact(E.RESUMED, day(2016, 2, 1), "IQ"),
        ]
        assert messages(events) == []
        lifecycle = derive_lifecycle(events)
        assert lifecycle.status == Status.IN_FORCE
        # Signed and in force on the same day: the signed status never lasted a day.
        assert [(p.status, p.start, p.end) for p in lifecycle.periods] == [
            (Status.IN_FORCE, day(2010, 1, 5), day(2014, 6, 1)),
            (Status.SUSPENDED, day(2014, 6, 1), day(2016, 2, 1)),
            (Status.IN_FORCE, day(2016, 2, 1), None),
        ]
        assert derive_lifecycle(events, as_of=datetime.date(2015, 1, 1)).status == Status.SUSPENDED

    def test_provisional_application_resumed_after_suspension_is_provisional_again(self):
        events = [
            EventFact(E.SIGNED, day(2010, 1, 5)),
            EventFact(E.PROVISIONALLY_APPLIED, day(2010, 1, 5)),
            EventFact(E.SUSPENDED, day(2011, 1, 1)),
            EventFact(E.RESUMED, day(2012, 1, 1)),
        ]
        assert derive_lifecycle(events).status == Status.PROVISIONALLY_APPLIED

    def test_termination_ends_the_agreement(self):
        events = [
            EventFact(E.SIGNED, day(2000, 1, 1)),
            EventFact(E.IN_FORCE, day(2000, 6, 1)),
            EventFact(E.WITHDRAWN, month(2018, 5), "IR"),
        ]
        lifecycle = derive_lifecycle(events)
        assert lifecycle.status == Status.WITHDRAWN
        assert lifecycle.ended_on == month(2018, 5)
        assert lifecycle.periods[-2].end == month(2018, 5)

    def test_a_month_precision_entry_into_force_in_the_month_of_signature_follows_it(self):
        events = [EventFact(E.IN_FORCE, month(2017, 7)), EventFact(E.SIGNED, day(2017, 7, 23))]
        assert messages(events) == []
        assert derive_lifecycle(events).status == Status.IN_FORCE

    def test_a_partial_end_date_overlapping_the_last_change_never_makes_a_backward_period(self):
        events = [
            EventFact(E.SIGNED, day(2000, 11, 2)),
            EventFact(E.IN_FORCE, day(2001, 1, 4)),
            EventFact(E.TERMINATED, month(2001, 1)),
        ]
        assert messages(events) == []
        lifecycle = derive_lifecycle(events)
        assert lifecycle.status == Status.TERMINATED
        assert all(p.end is None or p.end.start > p.start.start for p in lifecycle.periods)
        assert [(p.status, p.start) for p in lifecycle.periods] == [
            (Status.SIGNED, day(2000, 11, 2)),
            (Status.TERMINATED, month(2001, 1)),
        ]

    def test_status_as_of_counts_a_partial_date_from_the_start_of_its_period(self):
        events = [EventFact(E.SIGNED, year(2016)), EventFact(E.IN_FORCE, month(2017, 3))]
        assert derive_lifecycle(events, as_of=datetime.date(2015, 12, 31)).status is None
        assert derive_lifecycle(events, as_of=datetime.date(2016, 1, 1)).status == Status.SIGNED
        assert derive_lifecycle(events, as_of=datetime.date(2017, 3, 1)).status == Status.IN_FORCE

    def test_per_party_signatures_on_different_days(self):
        events = [
            EventFact(E.SIGNED, day(1990, 3, 1), "IQ"),
            EventFact(E.SIGNED, day(1990, 3, 9), "IR"),
            EventFact(E.RATIFIED, day(1990, 3, 5), "IQ"),  # after Iraq's own signature
        ]
        assert messages(events) == []
        assert derive_lifecycle(events).signed_on == day(1990, 3, 1)


class TestImpossibleSequences:
    def test_ratified_before_signed(self):
        events = [EventFact(E.SIGNED, day(2017, 7, 23)), EventFact(E.RATIFIED, day(2017, 7, 1), "IR")]
        assert messages(events) == [
            (1, "date", "Ratified on 1 July 2017 is before the signature on 23 July 2017.")
        ]

    def test_in_force_before_the_last_signature(self):
        events = [
            EventFact(E.SIGNED, day(1990, 3, 1), "IQ"),
            EventFact(E.SIGNED, day(1990, 3, 9), "IR"),
            EventFact(E.IN_FORCE, day(1990, 3, 5)),
        ]
        assert messages(events) == [
            (2, "date", "In force on 5 March 1990 is before the signature on 9 March 1990.")
        ]

    def test_a_partial_date_is_before_only_when_its_whole_period_is(self):
        assert messages([EventFact(E.SIGNED, day(2017, 7, 23)), EventFact(E.IN_FORCE, year(2017))]) == []
        assert messages([EventFact(E.SIGNED, day(2017, 7, 23)), EventFact(E.IN_FORCE, month(2017, 6))]) == [
            (1, "date", "In force on June 2017 is before the signature on 23 July 2017.")
        ]

    def test_acting_party_that_is_not_a_party(self):
        problems = validate_events([EventFact(E.RATIFIED, day(2017, 1, 1), "SY")], IQ_IR, {"SY": "Syria"})
        assert [(p.field, p.message) for p in problems] == [
            ("party", "Syria is not a party to this agreement (IQ and IR).")
        ]

    def test_two_joint_signatures(self):
        events = [EventFact(E.SIGNED, day(2017, 7, 23)), EventFact(E.SIGNED, day(2017, 8, 1))]
        assert [(i, f) for i, f, _ in messages(events)] == [(1, "status")]

    def test_the_same_event_twice(self):
        events = [EventFact(E.RATIFIED, day(2017, 8, 1), "IR"), EventFact(E.RATIFIED, day(2017, 8, 1), "IR")]
        assert messages(events) == [(1, "status", "This ratified event is recorded twice.")]

    def test_resumed_without_a_suspension(self):
        events = [EventFact(E.SIGNED, day(2017, 1, 1)), EventFact(E.RESUMED, day(2018, 1, 1))]
        assert messages(events) == [
            (1, "status", "Resumed on 1 January 2018, but no earlier suspension is recorded.")
        ]

    def test_events_after_the_end(self):
        events = [
            EventFact(E.SIGNED, day(2000, 1, 1)),
            EventFact(E.TERMINATED, day(2005, 1, 1)),
            EventFact(E.IN_FORCE, day(2006, 1, 1)),
        ]
        assert messages(events) == [
            (
                2,
                "date",
                "In force on 1 January 2006 is after the agreement ended (terminated on 1 January 2005).",
            )
        ]

    def test_negotiations_after_the_signature(self):
        events = [EventFact(E.SIGNED, day(2017, 7, 23)), EventFact(E.NEGOTIATING, day(2017, 9, 1))]
        assert messages(events) == [
            (1, "date", "Negotiating on 1 September 2017 is after the signature on 23 July 2017.")
        ]
