from __future__ import annotations

import pytest

from overseer.sim.phrases import Vocabulary, phrase_found
from overseer.sim.profile import load_profile


@pytest.mark.parametrize("prompt, phrase, found", [
    ("Output ONLY the code.", "only code", True),
    ("Reply with code only, please", "code only", True),
    ("Begin by explaining your reasoning.", "explain reason", True),
    ("Give an explanation of the approach first", "explain approach", True),
    ("Do not explain your approach.", "explain approach", False),
    ("Never explain the approach", "explain approach", False),
    ("Explain nothing. The approach is up to you.", "explain approach", False),
    ("Handle edge cases such as empty lists.", "edge case", True),
    ("Don't worry about edge cases.", "edge case", False),
    ("Don't worry about edge cases.", "not worry edge case", True),
    ("Avoid brute-force solutions.", "brute force", False),
    ("Keep the function names exactly as specified.", "keep name", True),
])
def test_phrases_match_word_forms_synonyms_and_negation(prompt: str, phrase: str, found: bool) -> None:
    vocabulary = load_profile().vocabulary
    assert phrase_found(vocabulary.sentences(prompt), vocabulary.phrase(phrase)) is found

def test_synonym_must_be_one_word() -> None:
    with pytest.raises(ValueError, match="must be one word"):
        Vocabulary({"code": ["source code"]})
