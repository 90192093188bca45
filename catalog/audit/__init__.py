"""The hash-chained audit log, and the events the rest of the platform records in it."""
