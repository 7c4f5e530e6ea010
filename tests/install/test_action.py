"""The composite GitHub Action (action.yml): its steps run here under `bash -e -o pipefail`, as the
runner runs them. SARIF and the summary must exist even when findings fail; then the job fails."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.install.helpers import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
KOPS = ROOT / "fixtures" / "kops" / "cluster.yaml"


def step(name_or_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if name_or_id in (s.get("id"), s.get("name")))


class Runner:
    """Just enough of a GitHub runner: inputs, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, step outputs."""

    def __init__(self, work: Path, **inputs: str) -> None:
        self.work = work
        self.inputs = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()} | inputs
        self.summary = work / "step-summary.md"
        self.outputs: dict[str, dict[str, str]] = {}

    def value(self, expr: str) -> str:
        kind, _, rest = expr.partition(".")
        if kind == "inputs":
            return self.inputs[rest]
        if kind == "github" and rest == "action_path":
            return str(ROOT)
        if kind == "steps":
            sid, _, out = rest.partition(".outputs.")
            return self.outputs.get(sid, {}).get(out, "")
        raise AssertionError(f"unexpected expression {expr}")

    def run(self, name: str) -> subprocess.CompletedProcess:
        s = step(name)
        assert s["shell"] == "bash"
        assert "${{" not in s["run"], "expressions go through env:, never into the script text"
        out_file = self.work / f"out-{name}"
        out_file.write_text("")
        env = dict(os.environ, NO_COLOR="1", GITHUB_OUTPUT=str(out_file), GITHUB_STEP_SUMMARY=str(self.summary),
                   RUNNER_TEMP=str(self.work), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        env.pop("SPECPATCH_DEBUG", None)
        for k, v in (s.get("env") or {}).items():
            env[k] = EXPR.sub(lambda m: self.value(m.group(1)), str(v))
        script = self.work / f"{name}.sh"
        script.write_text(s["run"])
        p = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(script)], capture_output=True, text=True,
                           cwd=self.work, env=env, timeout=300)
        if s.get("id"):
            self.outputs[s["id"]] = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
        return p


def test_findings_write_sarif_and_summary_then_fail(tmp_path):
    r = Runner(tmp_path, paths=str(KOPS))
    lint = r.run("lint")
    assert lint.returncode == 0, lint.stderr  # the step itself goes on to write everything
    assert "::error file=" in lint.stdout  # github annotations in the log
    sarif = json.loads((tmp_path / "specpatch.sarif").read_text())
    assert sarif["runs"][0]["results"]
    md = (tmp_path / "specpatch.md").read_text()
    assert md.strip() and md in r.summary.read_text()
    assert r.outputs["lint"]["exit-code"] == "1"
    verdict = r.run("Verdict")
    assert verdict.returncode == 1 and "findings fail the job" in verdict.stdout


def test_baseline_hides_old_findings_and_passes(tmp_path):
    base = tmp_path / "base.json"
    subprocess.run([str(Path(sys.executable).parent / "specpatch"), "lint", "-f", "json", "-o", str(base), str(KOPS)], capture_output=True)
    r = Runner(tmp_path, paths=str(KOPS), baseline=str(base), format="text")
    assert r.run("lint").returncode == 0
    assert r.outputs["lint"]["exit-code"] == "0"
    assert (tmp_path / "specpatch.sarif").exists() and (tmp_path / "specpatch.md").exists()
    assert r.run("Verdict").returncode == 0


def test_nothing_checked_fails_the_job(tmp_path):
    empty = tmp_path / "repo"
    empty.mkdir()
    (empty / "ci.yml").write_text("on: push\n")
    r = Runner(tmp_path, paths=str(empty))
    lint = r.run("lint")
    assert lint.returncode == 0 and r.outputs["lint"]["exit-code"] == "2", lint.stderr
    verdict = r.run("Verdict")
    assert verdict.returncode == 2 and "nothing checked" in verdict.stdout


def test_several_paths_and_warn(tmp_path):
    r = Runner(tmp_path, paths=f"{KOPS} {ROOT / 'tests' / 'data' / 'kubespray' / 'basic'}", **{"fail-on": "warn"})
    assert r.run("lint").returncode == 0
    assert r.outputs["lint"]["exit-code"] == "1"
    sarif = json.loads((tmp_path / "specpatch.sarif").read_text())
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for res in sarif["runs"][0]["results"] for loc in res.get("locations", [])}
    assert any("cluster.yaml" in u for u in uris) and any("group_vars" in u for u in uris), sorted(uris)[:5]


@pytest.mark.parametrize("name", ["Install specpatch", "lint", "Verdict"])
def test_steps_keep_expressions_out_of_scripts(name):
    assert "${{" not in step(name)["run"]
