"""The catalogue database: engine and sessions, tables, migrations, and the storage gateway."""
