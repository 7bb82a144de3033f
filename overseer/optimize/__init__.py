"""The optimize loop, one module per job: ``options`` (what the caller chooses), ``setup`` (what
is fixed for a session), ``state`` (what a kill leaves, what --resume reads), ``runs`` (fetching or
running the runs of a prompt), ``iteration`` (propose, validate, screen, evaluate, decide),
``keep`` (keeping an accepted edit; recording one that was not kept), ``loop`` (the session)."""

from __future__ import annotations

from overseer.optimize.keep import candidate_text
from overseer.optimize.loop import SessionSummary, optimize_target
from overseer.optimize.options import Evaluator, Hooks, OptimizeOptions

__all__ = ["Evaluator", "Hooks", "OptimizeOptions", "SessionSummary", "candidate_text",
           "optimize_target"]
