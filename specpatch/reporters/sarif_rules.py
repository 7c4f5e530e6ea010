"""SARIF rule metadata, one rule per check: title, help in Markdown (the field per target and the
fix), a link to the check's section of docs/checks.md, security-severity and tags.

Everything comes from the check itself (benchmark data and the `specpatch explain` page), never
from a finding, so a rule reads the same whichever cluster reported it first. The same module
writes docs/checks.md (`python -m specpatch.reporters.sarif_rules > docs/checks.md`), so every
helpUri has its section.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable

from specpatch.review.ids import SPEC_BENCHMARK, rule_id_of

DOCS_URL = os.environ.get("SPECPATCH_DOCS_URL", "https://github.com/specpatch/specpatch/blob/main/docs/checks.md")
NO_FIELD_SECTION = "Checks no spec field decides"
SPEC_SECTION = "Spec problems"

# Flags whose misconfiguration opens the cluster to anyone who can reach it.
HIGH = {"anonymous-auth", "authorization-mode", "token-auth-file", "insecure-port", "insecure-bind-address",
        "read-only-port", "client-ca-file", "kubelet-https", "client-cert-auth", "peer-client-cert-auth",
        "auto-tls", "peer-auto-tls", "kubelet-certificate-authority"}
HIGH_PLUGINS = {"NodeRestriction", "AlwaysAdmit"}
SPEC_SEVERITY = {"SP004": "7.5"}  # an insecure port left open; other spec problems are hygiene

# What each spec-problem check is about (ids are the kops and kubespray checks' own).
SPEC_CHECKS = {
    "SP000": "A component block that is not a mapping: kops cannot read it.",
    "SP001": "Unknown kops field: kops rejects the spec; the finding names the nearest valid field.",
    "SP002": "Deprecated or removed kops field: write the current name, or drop it.",
    "SP003": "Admission plugin the cluster's Kubernetes version removed: the API server would not start.",
    "SP004": "Insecure API server port enabled or exposed: it serves the API without authentication.",
    "KS001": "kubespray variable the release no longer reads, or rejects.",
    "KS002": "Admission plugin enabled without the configuration it needs.",
    "KS003": "PodSecurity defaults that are not written, so they do nothing.",
    "KS004": "Admission plugin the Kubernetes version removed.",
    "KS005": "kube_version spelled with a leading v, which the release rejects.",
    "KS006": "Plaintext secret kept in the inventory.",
    "KS007": "A quoted 'false' is true for kubespray's templates.",
    "KS008": "A Jinja value without quotes, which YAML reads as a mapping.",
}


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as '-'."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def heading_of(rule: str) -> str:
    return rule.replace("/", " ")


def help_uri(rule: str) -> str:
    if rule.startswith(f"{SPEC_BENCHMARK}/"):
        return f"{DOCS_URL}#{github_slug(SPEC_SECTION)}"
    if _is_rule_less(rule):
        return f"{DOCS_URL}#{github_slug(NO_FIELD_SECTION)}"
    return f"{DOCS_URL}#{github_slug(heading_of(rule))}"


def _is_rule_less(rule: str) -> bool:
    from specpatch.benchmarks import profiles

    return rule.split("/", 1)[0] in profiles.benchmark_names()


def _check(benchmark: str, check: str):
    from specpatch.benchmarks import profiles

    try:
        return profiles.benchmark(benchmark).check(check)
    except (KeyError, OSError):
        return None


def severity(benchmark: str, check: str) -> str:
    """GitHub's security-severity from the check: auth, anonymous access and node isolation high,
    other automated checks medium, manual or unscored checks low."""
    if benchmark == SPEC_BENCHMARK:
        return SPEC_SEVERITY.get(check, "2.0")
    c = _check(benchmark, check)
    if c is None or c.rule is None:
        return "3.0" if c is None or c.manual or not c.scored else "4.0"
    flag = c.rule.flag
    plugin = c.rule.tests[0].value if c.rule.tests else None
    if flag in HIGH or (flag.endswith("admission-plugins") and plugin in HIGH_PLUGINS):
        return "8.0"
    return "5.0" if c.scored and not c.manual else "3.0"


def _targets(explain: str) -> list[tuple[str, str]]:
    """(target, field) rows read from the `specpatch explain` page."""
    rows = []
    section = ""
    for line in explain.splitlines():
        if not line.startswith(" "):
            section = line.rstrip(":")
            continue
        text = line.strip()
        if section == "kops" and text.startswith("field: ") and text != "field: none":
            rows.append(("kops", text[len("field: "):]))
        elif section == "kops" and text.startswith("terraform provider: "):
            rows.append(("Terraform (kops provider)", text[len("terraform provider: "):]))
        elif section == "kubespray" and text.startswith("variable ") and not any(r[0] == "kubespray" for r in rows):
            rows.append(("kubespray", text[len("variable "):]))
    return rows


@functools.lru_cache(maxsize=None)
def explain_page(benchmark: str, check: str, explain: Callable[[str, str], str] | None) -> str:
    """The `specpatch explain` page of a check, or '' when it has none (spec problems, imported
    benchmarks). The CLI hands the page writer in, so reporters never import the formats it reads."""
    if benchmark == SPEC_BENCHMARK or explain is None:
        return ""
    try:
        return explain(check, benchmark)
    except (KeyError, OSError):
        return ""


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def help_markdown(benchmark: str, check: str, title: str, explain: Callable[[str, str], str] | None = None,
                  observed: dict[str, str] | None = None) -> str:
    """What the check asks, the field that controls it in each target, and how to fix it.

    The fields come from the `specpatch explain` page when the caller has one (docs/checks.md is
    built without, from the benchmark data alone), else from the findings seen (observed: target
    kind -> field)."""
    if benchmark == SPEC_BENCHMARK:
        what = SPEC_CHECKS.get(check, "A spec problem the deployer would reject or warn about.")
        return f"**{check}** {title}\n\n{what}\n\nThe result's message names the field and what to write instead."
    c = _check(benchmark, check)
    out = [f"**{benchmark} {check}** {title}", ""]
    if c is None or c.rule is None:
        kind = "a manual review" if c is None or c.manual or c.kind in ("manual", "policy") else "checked on the node"
        out.append(f"No spec field decides this check: it is {kind} (file permissions, ownership or objects in the "
                   "running cluster). Verify it with kube-bench on a node or by hand.")
        return "\n".join(out)
    from specpatch.engine import describe_expected

    out.append(f"`{c.rule.component}`: {describe_expected(c)}.")
    page = explain_page(benchmark, check, explain)
    rows = _targets(page)
    rows += [(kind, fld) for kind, fld in sorted((observed or {}).items()) if not any(r[0] == kind for r in rows) and not page]
    if rows:
        out += ["", "| target | field |", "|---|---|"] + [f"| {t} | `{_cell(v)}` |" for t, v in rows]
    out += ["", f"**Fix**: {c.rule.remediation or 'set the field as the test asks.'} "
            f"`specpatch fix --only {check} PATH` writes the change where a field can make it; "
            "otherwise the result's message says what to do instead."]
    if page:
        out += ["", "<details><summary>specpatch explain</summary>", "", "```text", page, "```", "", "</details>"]
    return "\n".join(out)


def rule(benchmark: str, check: str, title: str, ids_seen: list[tuple[str, str]],
         explain: Callable[[str, str], str] | None = None, observed: dict[str, str] | None = None) -> dict:
    """The reportingDescriptor of one check; ids_seen: the (benchmark, id) pairs it was reported under."""
    rid = rule_id_of(benchmark, check)
    c = _check(benchmark, check)
    manual = c is not None and (c.manual or not c.scored)
    md = help_markdown(benchmark, check, title, explain, observed)
    text = re.sub(r"[*`]|<[^>]+>", "", md.split("<details>")[0]).strip()
    component = c.rule.component if c is not None and c.rule is not None else None
    tags = ["security", "cis-kubernetes-benchmark" if benchmark != SPEC_BENCHMARK else "spec-problem",
            "manual" if manual else "automated"]
    if component:
        tags.append(component)
    pairs = sorted(set(ids_seen) | {(benchmark, check)})
    tags += sorted({b for b, _ in pairs})[:5]
    ids = ", ".join(f"{b} {c}" for b, c in pairs)
    return {
        "id": rid,
        "name": re.sub(r"[^A-Za-z0-9]+", "_", rid).strip("_"),
        "shortDescription": {"text": title[:1024]},
        "fullDescription": {"text": f"{title} ({ids})"[:1024]},
        "help": {"text": text[:20000], "markdown": md},
        "helpUri": help_uri(rid),
        "defaultConfiguration": {"level": "warning" if manual or benchmark == SPEC_BENCHMARK else "error"},
        "properties": {"security-severity": severity(benchmark, check), "tags": tags[:10], "precision": "high",
                       "problem.severity": "warning" if manual else "error"},
    }


def checks_page() -> str:
    """docs/checks.md: one section per rule id, with its id in every bundled benchmark."""
    from specpatch.benchmarks import profiles

    names = list(reversed(profiles.benchmark_names()))  # newest first: its title wins
    seen: dict[str, list[tuple[str, str, str]]] = {}
    for b in names:
        for c in profiles.load_benchmark(b).checks:
            rid = rule_id_of(b, c.id)
            if not _is_rule_less(rid):
                seen.setdefault(rid, []).append((b, c.id, c.title))
    out = ["# Checks", "",
           "One section per SARIF rule (`specpatch lint --format sarif` links each rule here). A rule id names the",
           "check by component and flag, so it stays the same when a benchmark renumbers its checks; the ids the",
           "check has in each bundled benchmark are listed under it. Generated by",
           "`python -m specpatch.reporters.sarif_rules > docs/checks.md`; do not edit by hand.", ""]
    for rid, uses in seen.items():
        b, cid, title = uses[0]
        out += [f"## {heading_of(rid)}", "", f"Rule id `{rid}`, security-severity {severity(b, cid)}.", "",
                help_markdown(b, cid, title).rstrip(), "",
                f"`specpatch explain {cid} --benchmark {b}` shows the field in each target (kops, Terraform, kubespray) "
                "and the defaults.", "",
                "Ids: " + ", ".join(f"{ub} {uc}" for ub, uc, _ in uses) + ".", ""]
    out += [f"## {NO_FIELD_SECTION}", "",
            "File permissions and ownership (1.1.x, 4.1.x), policies (5.x) and other manual reviews: no spec field",
            "decides them. `lint` lists them as NOT-IN-SPEC or WARN so totals line up with kube-bench; their SARIF",
            "rule id is `<benchmark>/<check>`, and SARIF or GitHub output shows them only with `--include manual`",
            "(manual WARNs) or `--include not-in-spec`.", "",
            f"## {SPEC_SECTION}", "",
            "Spec problems the deployer would reject or warn about, outside the CIS numbering (rule id `specpatch/<id>`):", ""]
    out += [f"- `{k}`: {v}" for k, v in SPEC_CHECKS.items()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/checks.md
    import sys

    sys.stdout.write(checks_page())
