"""Evidence that an edit helps: an anytime-valid betting test over a seeded stream of paired
differences (betting.py, draws.py)."""
