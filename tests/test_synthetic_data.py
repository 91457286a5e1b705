"""generate_synthetic_data on a small N: flags, shape, skew and consistency with the lifecycle."""

import statistics
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from agreements.choices import Level, ParticipantRole
from agreements.commitments import ImplementationFact, derive_commitment, validate_commitment
from agreements.lifecycle import derive_lifecycle, validate_events
from agreements.models import Agreement, Clause, Commitment, Participant, Person, StatusEvent, StatusPeriod
from agreements.search import build_document
from agreements.services.derived import event_fact
from agreements.services.rules import derive_level, resolve_level

from .factories import make_agreement

pytestmark = pytest.mark.django_db

N = 300


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_synthetic_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def synthetic():
    real = make_agreement(title="A real agreement")
    output = generate("--agreements", str(N), "--seed", "7")
    return real, output


def test_every_generated_agreement_is_flagged_and_shaped(synthetic):
    real, output = synthetic
    assert f"{N:,} / {N:,} agreements" in output  # progress
    generated = Agreement.objects.filter(is_synthetic=True)
    assert generated.count() == N
    assert not Agreement.objects.get(pk=real.pk).is_synthetic
    assert all(title.startswith("Synthetic ") for title in generated.values_list("title", flat=True))

    def per_agreement(model):
        return Counter(
            model.objects.filter(agreement__is_synthetic=True)
            .values("agreement")
            .annotate(n=Count("id"))
            .values_list("n", flat=True)
        )

    clauses, participants, events = (
        per_agreement(Clause),
        per_agreement(Participant),
        per_agreement(StatusEvent),
    )
    assert set(clauses) <= set(range(1, 7))
    assert sum(clauses.values()) == N
    assert set(participants) == {2, 3}  # two signatories, sometimes a witness, negotiator or guest
    assert sum(participants.values()) == N
    assert set(events) <= {1, 2, 3, 4}
    assert sum(events.values()) == N
    # One signatory for each party; every participant acts for one of the two.
    generated = Participant.objects.filter(agreement__is_synthetic=True)
    assert (
        not generated.exclude(party=F("agreement__party_a")).exclude(party=F("agreement__party_b")).exists()
    )
    signed = generated.filter(role=ParticipantRole.SIGNED)
    assert Counter(signed.values("agreement").annotate(n=Count("id")).values_list("n", flat=True)) == {2: N}
    assert set(generated.values_list("role", flat=True)) == set(ParticipantRole.values) - {"initialled"}
    assert signed.filter(person=None).exists(), "some signatories are not named"
    assert set(generated.values_list("agreement__level", flat=True)) == set(Level.values)
    assert Commitment.objects.filter(agreement__is_synthetic=True).exists()


def test_pairs_are_skewed(synthetic):
    sizes = sorted(
        Agreement.objects.filter(is_synthetic=True)
        .values("party_a", "party_b")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert len(sizes) >= 10
    assert sizes[-1] >= 5 * statistics.median(sizes)


def test_derived_fields_follow_the_lifecycle(synthetic):
    for agreement in (
        Agreement.objects.filter(is_synthetic=True)
        .prefetch_related(
            "events", "periods", "clauses", "participants__person__other_names", "commitments__events"
        )
        .select_related("body_a", "body_b")
    ):
        facts = [event_fact(event) for event in agreement.events.all()]
        assert validate_events(facts, agreement.parties) == []
        lifecycle = derive_lifecycle(facts)
        assert agreement.status == lifecycle.status
        for name in ("signed_on", "in_force_from", "ended_on"):
            expected = getattr(lifecycle, name)
            assert getattr(agreement, name) == (expected.value if expected else None)
            assert getattr(agreement, f"{name}_precision") == (expected.precision if expected else "")
        periods = [
            (p.status, p.start, p.start_precision, p.end, p.end_precision)
            for p in sorted(agreement.periods.all(), key=lambda p: p.start)
        ]
        assert periods == [
            (
                p.status,
                p.start.value,
                p.start.precision,
                p.end.value if p.end else None,
                p.end.precision if p.end else "",
            )
            for p in lifecycle.periods
        ]
        assert agreement.search_document == build_document(agreement)
        # The level follows the sides as the services derive it.
        assert (
            resolve_level(None, derive_level(agreement.body_a, agreement.body_b), None)[0] == agreement.level
        )
        signed = lifecycle.signed_on
        for commitment in agreement.commitments.all():
            events = [ImplementationFact(e.kind, e.partial_date, e.new_due) for e in commitment.events.all()]
            assert validate_commitment(commitment.due, events, signed) == []
            status = derive_commitment(commitment.due, events)
            assert (commitment.state, commitment.due_current) == (status.state, status.due.value)


def test_refuses_to_mix_and_deletes_cleanly(synthetic):
    real, _ = synthetic
    with pytest.raises(CommandError, match="--append"):
        generate("--agreements", "10")
    generate("--agreements", "10", "--append")
    assert Agreement.objects.filter(is_synthetic=True).count() == N + 10

    assert "Deleted the synthetic data" in generate("--delete")
    assert list(Agreement.objects.all()) == [real]
    assert not StatusPeriod.objects.exclude(agreement=real).exists()
    assert not Clause.objects.exclude(agreement=real).exists()
    assert not Person.objects.filter(name__startswith="Synthetic Participant").exists()
    # Not even the deletions' history: nothing synthetic is left to restore or to count.
    assert set(Agreement.history.values_list("id", flat=True)) == {real.id}
