"""A monorepo folder (clusters/, inventory/, terraform/) is linted whole: every kops spec, kubespray
inventory and kops Terraform folder, each reported once; unrelated YAML and Terraform are passed over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import ROOT, run
from tests.kops_helpers import spec

DATA = ROOT / "tests" / "data"


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters" / "a.yaml").write_text(spec().replace("t.example.com", "a.example.com"))
    (tmp_path / "clusters" / "b.yaml").write_text(spec().replace("t.example.com", "b.example.com"))
    shutil.copytree(DATA / "kubespray" / "basic", tmp_path / "inventory" / "prod")
    shutil.copytree(DATA / "terraform" / "provider", tmp_path / "terraform" / "prod")
    (tmp_path / "terraform" / "versions.tf").write_text('terraform {\n  required_version = ">= 1.5"\n}\n')  # no kops: walked through
    (tmp_path / "terraform" / "network").mkdir()
    (tmp_path / "terraform" / "network" / "main.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "docs.yaml").write_text("title: not a cluster\n")
    return tmp_path


def kinds(p) -> list[tuple[str, str]]:
    assert p.returncode == 1, p.stderr
    return sorted((t["kind"], t["name"]) for t in json.loads(p.stdout)["targets"])


def test_whole_monorepo_each_once(mono):
    got = kinds(run("lint", "-f", "json", str(mono)))
    assert [k for k, _ in got] == ["kops", "kops", "kubespray", "terraform"], got
    assert ("kops", "a.example.com") in got and ("terraform", "prod.k8s.example.com") in got


def test_overlapping_paths_report_once(mono):
    got = kinds(run("lint", "-f", "json", str(mono), str(mono / "clusters"), str(mono / "clusters" / "a.yaml"), str(mono / "inventory" / "prod")))
    assert len(got) == 4, got


def test_terraform_root_without_kops_is_walked_through(mono):
    assert kinds(run("lint", "-f", "json", str(mono / "terraform"))) == [("terraform", "prod.k8s.example.com")]


def test_folder_of_inventories(mono):
    shutil.copytree(DATA / "kubespray" / "traps", mono / "inventory" / "staging")
    p = run("lint", "-f", "json", str(mono / "inventory"))
    assert [k for k, _ in kinds(p)] == ["kubespray", "kubespray"]


def test_text_summary_counts_every_target(mono):
    p = run("lint", str(mono))
    assert p.returncode == 1
    total = int(next(line for line in p.stdout.splitlines() if line.endswith("checks in total")).split()[0])
    assert total > 300, total  # four targets' worth, not the kops files alone


def test_fix_covers_the_monorepo(mono):
    p = run("fix", str(mono))
    assert p.returncode == 0, p.stderr
    heads = [line for line in p.stdout.splitlines() if line.startswith("+++ ")]
    assert any("clusters/a.yaml" in h for h in heads) and any("inventory/prod" in h for h in heads) and any("terraform/prod" in h for h in heads), heads


def test_skip_other_maps_vars_files_to_their_inventory(mono):
    gv = mono / "inventory" / "prod" / "group_vars"
    files = [str(f) for f in sorted(gv.rglob("*.yml"))] + [str(mono / ".github" / "workflows" / "ci.yml"), str(mono / "docs.yaml"),
                                                          str(mono / "terraform" / "network" / "main.tf")]
    assert len(files) > 4
    got = kinds(run("lint", "--skip-other", "-f", "json", *files))
    assert got == [("kubespray", "prod")], got


def test_skip_other_with_nothing_of_ours_passes(mono):
    p = run("lint", "--skip-other", str(mono / ".github" / "workflows" / "ci.yml"), str(mono / "docs.yaml"))
    assert p.returncode == 0 and p.stdout == "" and p.stderr == ""
