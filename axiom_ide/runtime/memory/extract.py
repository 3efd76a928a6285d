"""Fact extractors for consolidation: conversation turns in, concise statements out.

:func:`rule_based` (the offline default) keeps the user's first-person statements — "I prefer
JSON output.", "My name is Ada", "We use Postgres" — and restates them about the user ("User
prefers JSON output.", "User's name is Ada.", "User's team uses Postgres."); questions, short
fragments and other roles' turns are skipped. Preferences weigh 0.8, identity 0.7, other facts
0.6; confidence is 0.9 (the user said it).

:class:`LlmExtractor` asks an OpenAI-compatible ``/chat/completions`` endpoint
(``AXIOM_IDE_MEMORY_EXTRACTOR`` = its base URL, ``…_MODEL``, ``…_KEY``) for a JSON list of
``{"content", "importance", "confidence"}``; :func:`resolve` picks it when configured.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

ENV = "AXIOM_IDE_MEMORY_EXTRACTOR"
ENV_MODEL = "AXIOM_IDE_MEMORY_EXTRACTOR_MODEL"
ENV_KEY = "AXIOM_IDE_MEMORY_EXTRACTOR_KEY"
#: A fact longer than this is cut (at a word) — facts are meant to be concise.
MAX_FACT = 240


@dataclass(frozen=True)
class Fact:
    content: str
    importance: float
    confidence: float


class Extractor(Protocol):
    name: str

    def extract(self, turns: Sequence[dict[str, Any]]) -> list[Fact]: ...


_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]?")
_MODALS = {"can", "could", "will", "would", "should", "must", "might", "may", "shall"}
_IRREGULAR = {"am": "is", "'m": "is", "are": "is", "have": "has", "do": "does", "go": "goes", "was": "was",
              "don't": "doesn't", "dont": "doesn't", "'ve": "has", "'d": "would", "'ll": "will"}
_PREFERENCE = {"prefer", "like", "love", "hate", "dislike", "want", "need", "enjoy", "avoid", "always", "never",
               "don't", "dont", "favorite", "favourite", "rather"}
_IDENTITY = {"name", "am", "'m", "work", "live", "called", "born", "age", "role", "job", "team", "company"}
_OBJECT_PRONOUNS = ((r"\bmy\b", "their"), (r"\bme\b", "them"), (r"\bmyself\b", "themselves"), (r"\bmine\b", "theirs"),
                    (r"\bI\b", "they"), (r"\bour\b", "their"), (r"\bus\b", "them"))


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low in _MODALS or not low.isalpha():
        return low
    if low.endswith(("s", "sh", "ch", "x", "z", "o")):
        return low + "es"
    if len(low) > 1 and low.endswith("y") and low[-2] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


def _rest(text: str) -> str:
    for pattern, repl in _OBJECT_PRONOUNS:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


def _clip(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;:-")
    if len(text) > MAX_FACT:
        text = text[:MAX_FACT].rsplit(" ", 1)[0]
    return text.rstrip(".!;,") + "."


def restate(sentence: str) -> str | None:
    """A first-person statement restated about the user, or None when it is not one."""
    s = " ".join(sentence.split()).strip()
    if not s or s.endswith("?") or len(s.split()) < 3:
        return None
    m = re.match(r"(?i)^my\s+(.+)$", s)
    if m:
        return _clip("User's " + _rest(m.group(1)))
    m = re.match(r"(?i)^(?:call me|you can call me)\s+(.+)$", s)
    if m:
        return _clip("User's name is " + m.group(1))
    m = re.match(r"(?i)^(i|we)('m|'ve|'d|'ll)?\s*(.*)$", s)
    if not m:
        return None
    subject = "User" if m.group(1).lower() == "i" else "User's team"
    words = m.group(3).split()
    if m.group(2):
        verb, rest = _IRREGULAR[m.group(2).lower()], words
    else:
        if not words:
            return None
        # adverbs before the verb stay in place: "I usually prefer" → "User usually prefers"
        lead: list[str] = []
        while words and words[0].lower() in ("really", "usually", "always", "often", "never", "also", "only",
                                             "mostly", "now", "still", "generally", "definitely", "actually"):
            lead.append(words.pop(0))
        if not words:
            return None
        verb = " ".join([*lead, _third_person(words[0])])
        rest = words[1:]
    return _clip(f"{subject} {verb} {_rest(' '.join(rest))}")


def _weight(sentence: str) -> float:
    words = {w.lower() for w in re.findall(r"[\w']+", sentence)}
    if words & _PREFERENCE:
        return 0.8
    if words & _IDENTITY:
        return 0.7
    return 0.6


class RuleBased:
    """The offline default extractor (module docstring)."""

    name = "rule-based"

    def extract(self, turns: Sequence[dict[str, Any]]) -> list[Fact]:
        facts: list[Fact] = []
        for turn in turns:
            if turn.get("role") != "user":
                continue
            for sentence in _SENTENCE.findall(str(turn.get("content") or "")):
                fact = restate(sentence)
                if fact:
                    facts.append(Fact(fact, _weight(sentence), 0.9))
        return facts


rule_based = RuleBased()

_PROMPT = ("Extract the durable facts and preferences about the user from this conversation as concise "
           "third-person statements (\"User prefers ...\"). Answer with only a JSON array of objects with the keys "
           "content (string), importance (0-1) and confidence (0-1); [] when there are none.")


class LlmExtractor:
    """Facts from an OpenAI-compatible chat completions endpoint."""

    def __init__(self, base_url: str, model: str, key: str | None = None, timeout: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.name = f"llm:{model}"
        self.key = key
        self.timeout = timeout

    def extract(self, turns: Sequence[dict[str, Any]]) -> list[Fact]:
        import httpx

        transcript = "\n".join(f"{t.get('role', '').upper()}: {t.get('content', '')}" for t in turns)
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        response = httpx.post(self.url, timeout=self.timeout, headers=headers, json={
            "model": self.model, "temperature": 0,
            "messages": [{"role": "system", "content": _PROMPT}, {"role": "user", "content": transcript}]})
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"]
        start, end = text.find("["), text.rfind("]")
        items = json.loads(text[start:end + 1]) if start >= 0 < end else []
        facts = []
        for item in items:
            if isinstance(item, dict) and str(item.get("content") or "").strip():
                facts.append(Fact(_clip(str(item["content"])),
                                  min(max(float(item.get("importance", 0.5)), 0.0), 1.0),
                                  min(max(float(item.get("confidence", 0.7)), 0.0), 1.0)))
        return facts


def resolve() -> Extractor:
    url = os.environ.get(ENV, "").strip()
    if url.startswith(("http://", "https://")):
        return LlmExtractor(url, os.environ.get(ENV_MODEL, "").strip() or "gpt-4o-mini",
                            os.environ.get(ENV_KEY) or None)
    return rule_based
