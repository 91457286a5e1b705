"""Webhooks where PostgreSQL matters (issue 18): two workers at once deliver each event once,
in order per subscription (``SELECT … FOR UPDATE SKIP LOCKED`` and the lease); and a worker
process delivers through a restart of its database server — a cluster of the test's own,
restarted while events are being sent: nothing lost, nothing sent twice, still in order."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from agreements.models import ChangeEvent, WebhookDelivery
from agreements.models.webhooks import DeliveryState
from agreements.notify.webhooks import Worker
from agreements.services.webhooks import RetryPolicy, WebhookIn, webhook_create

from .own_postgres import own_cluster, wait_for
from .webhook_receiver import receiver

ROOT = Path(__file__).resolve().parent.parent
SECRET = "a-secret-of-thirty-two-characters"


def _events(count: int, start: int = 0) -> None:
    ChangeEvent.objects.bulk_create(
        ChangeEvent(
            kind="agreement_added",
            agreement_id=start + n,
            title=f"Agreement {start + n}",
            party_a="IQ",
            party_b="IR",
            summary="Added.",
        )
        for n in range(count)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the seeded rows come back
def test_two_workers_at_once_deliver_each_event_once_in_order(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("several workers at once need PostgreSQL (SKIP LOCKED); on SQLite one worker runs")
    owner = django_user_model.objects.create_user("hooks")
    with receiver(lambda n, body: (500 if n % 7 == 3 else 200, 0.0)) as hook:
        subscriptions = [
            webhook_create(owner=owner, data=WebhookIn(target_url=f"{hook.url}/{n}", secret=SECRET))
            for n in range(4)
        ]
        _events(30)
        stop = threading.Event()
        policy = RetryPolicy(base=0.05, cap=0.2, window=3600, gap_settle=5)

        def work() -> None:
            try:
                Worker(policy=policy, stop=stop).run(poll=0.05)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            wait_for(lambda: len(hook.acknowledged()) >= 120, 60, "120 acknowledged deliveries")
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    acknowledged = hook.acknowledged()
    counts = Counter(r.headers["X-Webhook-Delivery"] for r in acknowledged)
    assert len(counts) == 120
    assert max(counts.values()) == 1, "an acknowledged event was sent again"
    for subscription in subscriptions:
        told = [r.json["event"]["id"] for r in acknowledged if r.json["webhook"] == subscription.pk]
        assert told == sorted(told)
        assert len(told) == 30
    assert not WebhookDelivery.objects.exclude(state=DeliveryState.DELIVERED).exists()


def _worker_environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": url,
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_RETRY_BASE": "0.1",
        "WEBHOOK_RETRY_CAP": "0.5",
    }


def _insert_events(cluster, count: int, start: int) -> None:
    with cluster.connect("tracker") as db:
        db.execute(
            "INSERT INTO agreements_changeevent (kind, created_at, agreement_id, title, party_a, party_b,"
            " categories, summary, details, interface)"
            " SELECT 'agreement_added', now(), n, 'Agreement ' || n, 'IQ', 'IR', '[]', 'Added.', '{}', 'test'"
            " FROM generate_series(%s::int, %s::int) AS n",
            (start, start + count - 1),
        )


def test_a_worker_delivers_through_a_postgresql_restart(tmp_path):
    """The issue's "done when": signed events delivered in order to a loopback receiver
    through a PostgreSQL restart."""
    with own_cluster() as cluster, receiver(lambda n, body: (200, 0.02)) as hook:
        with cluster.connect() as db:
            db.execute("CREATE DATABASE tracker")
        env = _worker_environment(cluster.url("tracker"))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        with cluster.connect("tracker") as db:
            owner = db.execute(
                "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
                " email, is_staff, is_active, date_joined)"
                " VALUES ('!', false, 'hooks', '', '', '', true, true, now()) RETURNING id"
            ).fetchone()[0]
            db.execute(
                "INSERT INTO agreements_webhooksubscription (owner_id, target_url, description, secret,"
                " pairs, countries, categories, kinds, state, failing_reason, cursor, leased_by,"
                " created_at, updated_at)"
                " VALUES (%s, %s, '', %s, '[]', '[]', '[]', '[]', 'active', '', 0, '', now(), now())",
                (owner, hook.url, SECRET),
            )
        log = tmp_path / "worker.log"
        with log.open("w") as output:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "deliver_webhooks", "--poll", "0.05"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            try:
                _insert_events(cluster, 20, 1)
                wait_for(lambda: len(hook.acknowledged()) >= 20, 60, "the first 20 events")
                _insert_events(cluster, 40, 21)
                wait_for(lambda: len(hook.acknowledged()) >= 25, 60, "sending to be under way")
                cluster.restart()  # while the worker is sending (20 ms a request)
                _insert_events(cluster, 20, 61)
                wait_for(lambda: len(hook.acknowledged()) >= 80, 120, "all 80 events after the restart")
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(30)
        assert worker.returncode == 0, log.read_text()
        assert "database unavailable" in log.read_text(), "the restart was not felt: the test proves nothing"

    acknowledged = hook.acknowledged()
    told = [r.json["agreement"]["id"] for r in acknowledged]
    assert told == list(range(1, 81)), "lost, doubled or out of order"
    assert len({r.headers["X-Webhook-Delivery"] for r in acknowledged}) == 80
    for request in acknowledged:
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, request.headers["X-Signature-256"])
