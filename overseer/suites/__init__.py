"""Test suites in other tools' formats as task sets: promptfoo's configs and test files
(promptfoo.py), each case a task folder made once per suite content (materialize.py), judged by
promptfoo's assertions (assertions.py) in the check's own process (check.py)."""
