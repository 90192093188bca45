"""The opt-out registry (EHDS Art 71): append-only events and each person's state."""
