"""The evidence index: SQLite at ``runs/overseer.db``, rebuildable from the JSONL. All SQL lives in
this package: ``schema`` (migrations, rows), ``index`` (updating and verifying), ``queries``."""

from __future__ import annotations

from overseer.store.index import Difference, IndexStats, Store, open_store, rebuild
from overseer.store.queries import BandRate, TargetStats, TaskRate
from overseer.store.schema import DB_NAME

__all__ = ["DB_NAME", "BandRate", "Difference", "IndexStats", "Store", "TargetStats", "TaskRate",
           "open_store", "rebuild"]
