"""A conversation: the one `Turn` type, used by questions, evaluation cases, the CLI and the REST API.

`Turn` is a frozen dataclass; pydantic validates it where it appears in a file or request schema (eval cases,
REST bodies), and `parse_history` validates raw JSON (a history file) with messages that say what to fix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: Role
    content: str


def parse_history(raw: object) -> tuple[Turn, ...]:
    """Validate a conversation history: a list of {"role": "user"|"assistant", "content": str}."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"history must be a JSON list of messages, got {type(raw).__name__}")
    turns = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("role") not in ("user", "assistant") \
                or not isinstance(item.get("content"), str):
            raise InputError(f"history item {i} must look like {{\"role\": \"user\"|\"assistant\", "
                             f"\"content\": \"...\"}}, got {str(item)[:80]!r}")
        turns.append(Turn(role=item["role"], content=item["content"]))
    return tuple(turns)


def conversation_key(question: str, history: Sequence[Turn]) -> str:
    """A stable key of a question in its conversation (the raw words, before any condensation)."""
    digest = hashlib.sha256(question.strip().encode())
    for turn in history:
        digest.update(f"\x00{turn.role}\x00{turn.content}".encode())
    return digest.hexdigest()[:24]


def as_turns(history: Sequence[Turn] | Sequence[dict] | None) -> tuple[Turn, ...]:
    """Turns from either Turn objects or {"role", "content"} dicts (validated)."""
    if not history:
        return ()
    if all(isinstance(t, Turn) for t in history):
        return tuple(history)
    return parse_history(list(history))
