"""A parsed spec value as the component sees it on its command line: one rendering for every target."""

from __future__ import annotations

from typing import Any


def flag_text(value: Any, *, sort_maps: bool = False) -> str | None:
    """true/false for booleans, comma-joined lists, k=v pairs for maps (sorted where the deployer sorts them)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(flag_text(v, sort_maps=sort_maps)) for v in value)
    if isinstance(value, dict):
        pairs = [f"{k}={flag_text(v, sort_maps=sort_maps)}" for k, v in value.items()]
        return ",".join(sorted(pairs) if sort_maps else pairs)
    return str(value)
