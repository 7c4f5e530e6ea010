"""Write specpatch/profiles/compiled/*.json: the same data as the YAML profiles, in a form that loads fast.

Every run of specpatch reads its profiles; libyaml needs about 25 ms a benchmark, json about 2 ms.
The YAML stays the source (reviewed, commented); this file is derived from it, and
tests/benchmarks/test_compiled_profiles.py fails when a compiled file is stale.

Run after editing any profile:  python tools/compile_profiles.py
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

PROFILES = Path(__file__).resolve().parent.parent / "specpatch" / "profiles"


def sources(root: Path = PROFILES) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if "compiled" not in p.relative_to(root).parts)


def compiled_path(src: Path, root: Path = PROFILES) -> Path:
    return root / "compiled" / src.relative_to(root).with_suffix(".json")


PAIRS = "\u0000pairs"  # a mapping whose keys are not all strings (YAML true/false keys): kept as [key, value] pairs


def _encode(v):
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v):
            return {k: _encode(x) for k, x in v.items()}
        return {PAIRS: [[k, _encode(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return [_encode(x) for x in v]
    return v


def render(src: Path) -> str:
    data = yaml.load(src.read_text(), Loader=yaml.CSafeLoader)
    return json.dumps(_encode(data), separators=(",", ":"), sort_keys=False) + "\n"


def main(root: Path = PROFILES) -> None:
    for src in sources(root):
        out = compiled_path(src, root)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(src))


if __name__ == "__main__":
    main()
