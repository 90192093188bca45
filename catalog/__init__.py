"""The control plane: datasets, permits, opt-out registry and audit log.

So far it holds the permit model and the demo permit; the database-backed catalogue
(SQLAlchemy, HealthDCAT-AP export, permit workflow) grows here.
"""
