"""The control plane: datasets (HealthDCAT-AP), permit applications and permits, the public
register, users and roles, and the hash-chained audit log, over one SQLAlchemy database.

Modules, one job each: ``enums``, ``exceptions``, ``domain`` (plain values), ``lifecycle``
(the permit states as data), ``policies`` (who may do what: ``check_*``/``can_*`` pairs),
``service`` (the workflow), ``store`` (storage Protocols and the SQLAlchemy adapter),
``models`` and ``migrations`` (the schema), ``db`` (engine, migrations from code),
``applications`` (application files), ``datasets`` (dataset metadata), ``rdf`` (export),
``register`` (the public register), ``audit``, ``users``, ``permits`` (permits as the
pipeline and SPE use them), ``publication`` and ``events`` (what other components record),
``demo`` (what a new catalogue holds); ``outputs`` (the output-release airlock), with
``outputs_domain``, ``outputs_lifecycle``, ``outputs_policies`` and ``outputs_store``.
"""
