"""Evidence that an edit helps: the anytime-valid betting test over rounds of paired differences
(betting.py), and what a candidate and a session are expected to cost under it (plan.py)."""
