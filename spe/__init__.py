"""The secure processing environment: researchers' SQL over one permit's datasets.

It reads only the permit workspace's Delta tables and never imports the code paths of the
raw zones or the key store (an import-linter contract checks this).

- ``sandbox``: the locked DuckDB connection, its limits and pinned Delta versions;
- ``sqltree`` and ``shape``: DuckDB's own parser, the query shapes that disclosure control
  can analyse, and the companion query giving each person's contribution to each cell;
- ``disclosure``: the primary rules of one cell and their thresholds;
- ``secondary``: secondary suppression along the lines of a result;
- ``differencing``: what a session has released, and the differencing check;
- ``control``: all of the above applied to one result;
- ``session``: ``SandboxSession.run(sql) -> QueryResult``, one session's entry point;
- ``service``: a user's query over a permit, checked against the permit and audited;
- ``server``, ``client``, ``snapshots``, ``answers``: the long-lived SPE service that runs
  ``service`` for ``haven query`` and the portal, its light client, the warm Delta snapshots
  it keeps, and results as they cross its socket;
- ``airlock``: a query's controlled result filed for release (``catalog.airlock.releases``).
"""
