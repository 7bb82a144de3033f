"""Finding an instruction in a prompt robustly: case, word forms, synonyms, small gaps, negation."""

from __future__ import annotations

import re
from collections.abc import Mapping

_SENTENCE_BREAK = re.compile(r"[.!?;:\n]+")
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset(
    ["a", "an", "the", "your", "you", "our", "its", "their", "this", "that", "these", "those", "to", "of", "for", "and", "or", "is", "are", "be", "do", "does", "please", "always", "should", "must", "will", "can", "it", "as", "at", "by", "on", "with", "so", "here", "there"]
)
NEGATIONS = frozenset({"not", "no", "without", "avoid"})
_MAX_GAP = 2
_NEGATION_WINDOW = 3


def stem(word: str) -> str:
    """A deliberately small stemmer: enough to equate plurals and -ing/-ed forms."""
    for suffix, replacement, min_len in (("ies", "y", 5), ("sses", "ss", 5), ("ing", "", 6),
                                         ("ed", "", 5), ("ly", "", 6)):
        if word.endswith(suffix) and len(word) >= min_len:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("es") and word[-3:-2] in {"s", "x", "z", "h"} and len(word) > 4:
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
            word = word[:-1]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _raw_words(text: str) -> list[str]:
    text = text.lower().replace("n't", " not").replace("’", "'")
    return _WORD.findall(text)


class Vocabulary:
    """Normalises words to canonical tokens; synonyms map onto their group's head word."""

    def __init__(self, synonyms: Mapping[str, list[str]]) -> None:
        self._canonical: dict[str, str] = {}
        for head, words in synonyms.items():
            for word in [head, *words]:
                parts = _raw_words(word)
                if len(parts) != 1:
                    raise ValueError(f"synonym {word!r} must be one word")
                self._canonical[parts[0]] = stem(head)
                self._canonical[stem(parts[0])] = stem(head)

    def token(self, word: str) -> str:
        if word == "never":
            return "not"
        return self._canonical.get(word) or self._canonical.get(stem(word)) or stem(word)

    def sentences(self, text: str) -> list[list[str]]:
        """Each sentence of ``text`` as a list of normalised tokens, stop words dropped."""
        result = []
        for sentence in _SENTENCE_BREAK.split(text):
            tokens = [self.token(w) for w in _raw_words(sentence) if w not in _STOP_WORDS]
            if tokens:
                result.append(tokens)
        return result

    def phrase(self, text: str) -> list[str]:
        tokens = [self.token(w) for w in _raw_words(text) if w not in _STOP_WORDS]
        if not tokens:
            raise ValueError(f"phrase {text!r} has no words")
        return tokens


def _match_at(tokens: list[str], phrase: list[str], start: int) -> bool:
    position = start
    for word in phrase[1:]:
        window = tokens[position + 1: position + 2 + _MAX_GAP]
        if word not in window:
            return False
        position += 1 + window.index(word)
    return True


def phrase_found(sentences: list[list[str]], phrase: list[str]) -> bool:
    """True if ``phrase`` occurs in some sentence and is not preceded by a negation."""
    for tokens in sentences:
        for i, token in enumerate(tokens):
            if token != phrase[0] or not _match_at(tokens, phrase, i):
                continue
            before = tokens[max(0, i - _NEGATION_WINDOW): i]
            if phrase[0] in NEGATIONS or not NEGATIONS.intersection(before):
                return True
    return False
