"""Where things are: the default database, the bundled demo, the repository root."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
REPOSITORY = PACKAGE_ROOT.parent
DEMO_DIR = Path(os.environ.get("STANCEMAP_DEMO_DIR", REPOSITORY / "demo"))


def default_db() -> Path:
    """``stancemap.db`` in the working directory unless ``STANCEMAP_DB`` says otherwise."""
    return Path(os.environ.get("STANCEMAP_DB", "stancemap.db"))
