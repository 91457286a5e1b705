"""The naive DRF baseline: the agreements list most teams write first.

A ``ModelViewSet`` with nested ``ModelSerializer`` classes and no ``select_related`` or
``prefetch_related``, so every agreement on a page costs a query per relation (and a
query per clause for its categories). It serves the same document shape as our API,
under ``/naive/``, with the product's settings, pagination and database. It lives in
``bench/`` only, as a yardstick: the product never imports it.
"""
