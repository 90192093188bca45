"""``python -m cli`` runs the ``haven`` command."""

from cli.main import run

run()
