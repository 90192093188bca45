"""The control plane: datasets (HealthDCAT-AP), permit applications and permits, the public
register, people and roles, opt-outs, output release and the hash-chained audit log, over one
SQLAlchemy database.

One subpackage per concept: ``db`` (engine, models, migrations, the unit of work),
``audit`` (the hash chain), ``people`` (users, roles, authentication), ``permits``
(applications, terms, lifecycle, policies, the workflow, builds, the public register),
``airlock`` (output release), ``datasets`` (descriptions, metadata, quality labels, RDF),
``optout`` (the registry); ``statemachine`` drives both lifecycles and ``demo`` holds what
the demonstration loads.
"""
