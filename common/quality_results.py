"""Where validation reports and quality labels are kept: JSON files under
``HAVEN_HOME/quality/<source>/``, one per run, plus ``latest.json``.

In ``common`` so that every reader shares it: the pipeline writes these files
(``jobs.pipeline``), ``haven quality report`` and the portal's quality page read them, and
the portal may not import the ``quality`` package (Great Expectations, Spark).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common.layout import check_name


class QualityStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, source: str, run_name: str, record: dict[str, Any]) -> Path:
        folder = self.root / check_name("source", source)
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        path = folder / f"{run_name}.json"
        path.write_text(text)
        (folder / "latest.json").write_text(text)
        return path

    def latest(self) -> dict[str, dict[str, Any]]:
        """The latest record of every source, by source name."""
        if not self.root.is_dir():
            return {}
        return {
            folder.name: json.loads((folder / "latest.json").read_text())
            for folder in sorted(self.root.iterdir())
            if (folder / "latest.json").is_file()
        }
