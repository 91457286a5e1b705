"""PostgreSQL read replicas: reads outside transactions may go to a replica, everything else
goes to the primary (docs/operations.md, "Read replicas").

- ``databases``: the ``DATABASES`` entries ``DATABASE_REPLICA_URLS`` adds (``replica1``, …),
  and the checks of the settings (PostgreSQL only; a read-your-writes window long enough);
- ``routing``: the request's routing state (a context variable) and the router that reads it;
- ``health``: which replicas are usable (answering, lag within ``REPLICA_MAX_LAG_SECONDS``),
  measured at most every ``REPLICA_CHECK_SECONDS`` per process;
- ``middleware``: read-your-writes: a client that wrote reads the primary for
  ``REPLICA_READ_YOUR_WRITES_SECONDS``.

Project infrastructure rather than a layer of ``agreements``: nothing in the app knows where
its reads are served from. With no replica configured, none of it is installed.
"""
