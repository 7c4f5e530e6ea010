"""The printed form of bench/out/results.json: one table a person reads top to bottom.

Pure functions of the results dict, so tests/core/test_bench_script.py can render fake numbers.
"""

from __future__ import annotations

AIMS = {"lint": "<= 3x", "fix": "<= 4x"}  # issue 18's budgets for the cold start


def ratio(seconds: float, baseline: float) -> float:
    """seconds as a multiple of the baseline (python -c pass), one decimal; 0 for a useless baseline."""
    return round(seconds / baseline, 1) if baseline > 0 else 0.0


def _cold_cell(entry: dict | None) -> str:
    if not entry:
        return "-"
    cell = f"{entry['s']:.3f} s  {entry['ratio']:>4.1f}x"
    return cell + ("" if entry.get("status", "ok") == "ok" else f"  (BROKEN, {entry['status'][:40]})")


def _baseline_note(cold: dict) -> list[str]:
    """Say it when the dev venv's own start is much slower: its ratios then flatter the tool."""
    dev, wheel = cold.get("dev"), cold.get("wheel")
    if not dev or not wheel or dev["python_pass_s"] < 1.5 * wheel["python_pass_s"]:
        return []
    return [f"(the dev venv's `python -c pass` is {dev['python_pass_s'] / wheel['python_pass_s']:.1f}x the wheel venv's: "
            "its editable-install .pth finder runs at every start; the wheel venv is what users run)"]


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _fleet_cell(f: dict) -> str:
    if "skipped" in f:
        return f"skipped: {f['skipped']}"
    if not isinstance(f.get("targets_linted", 0), int):
        return f"BROKEN: {f['specs']:,} files, {f['targets_linted']}"
    checked = f"; {f['targets_linted']} targets linted, {f.get('input_errors', '?')} input errors" if "targets_linted" in f else ""
    return (f"{f['specs']:,} files ({f['distinct_specs']} distinct specs): {f['specs_per_s']:,.0f} specs/s, "
            f"peak {f['peak_tree_rss_mib']:.0f} MiB RSS summed over {f['max_processes']} processes{checked}\n"
            f"    (Pss {f['peak_tree_pss_mib']:.0f} MiB; largest single process {f['largest_process_mib']:.0f} MiB; "
            f"each process's own peak added up {f['hwm_sum_mib']:.0f} MiB)")


def render(res: dict) -> str:
    """The results as text: cold starts per install side by side, then fleet, stores and checkov."""
    m = res["machine"]
    lines = [f"specpatch bench, {res.get('date', '')}: {m['cores']} cores, {m['os']}, Python {m['python']}"]
    if res.get("load_avg_1m"):
        busy = max(res["load_avg_1m"]) > (m.get("cores") or 1)
        lines.append(f"load average (1 min) at start / end: {' / '.join(map(str, res['load_avg_1m']))}"
                     + (" (above the core count: other work on the machine inflates every time)" if busy else ""))
    cold = res.get("cold", {})
    names = list(cold)
    if names:
        lines += ["", f"cold start: median of {res['runs']} runs after one warm-up, .pyc written; x = multiple of "
                      "`python -c pass` of the same venv"]
        rows = [["command", *(cold[n]["label"] for n in names), "aim"],
                ["python -c pass", *(f"{cold[n]['python_pass_s']:.3f} s" for n in names), ""],
                ["import typer (extra)", *(f"{cold[n]['typer_import_extra_s']:.3f} s" for n in names), ""]]
        for key, label in (("lint", "lint spec-200.yaml"), ("fix", "fix spec-200.yaml"),
                           ("terraform_lint", "Terraform lint"), ("bench_import", "bench-import")):
            rows.append([label, *(_cold_cell(cold[n]["commands"].get(key)) for n in names), AIMS.get(key, "")])
        lines += _grid(rows)
        lines += _baseline_note(cold)
    if res.get("wheel", {}).get("error"):
        lines.append(f"wheel venv: not measured: {res['wheel']['error']}")
    lines += ["", f"fleet lint (in the {res.get('fleet_install', '?')}; aim >= 1,000 specs/s, 10,000 under 300 MiB)"]
    for key in ("fleet", "fleet_big"):
        if key in res:
            lines.append("  " + _fleet_cell(res[key]))
    st = res.get("store_200", {})
    if st:
        lines += ["", "200-cluster state store lint, median of 3 (aim: s3:// under 5 s)",
                  f"  file://: {st.get('file_store_s')} s   s3:// (moto on 127.0.0.1): {st.get('s3_store_s')} s"]
        lines += [f"  BROKEN {k}: {v}" for k, v in st.items() if k.endswith("_status") and v != "ok"]
    ck = res.get("checkov", {})
    lines += ["", "checkov on the equivalent kube-apiserver static pod vs specpatch lint of spec-200.yaml"]
    if "checkov_s" in ck:
        lines.append(f"  checkov {ck['checkov_version']}: {ck['checkov_s']:.2f} s, {ck['checkov_peak_rss_mib']:.0f} MiB;  "
                     f"specpatch: {ck['specpatch_s']:.3f} s, {ck['specpatch_peak_rss_mib']:.0f} MiB;  "
                     f"checkov takes {ck['time_ratio']}x the time and {ck['rss_ratio']}x the memory\n"
                     f"    (median of {ck.get('runs', '?')} cold runs each; memory summed over checkov's "
                     f"{ck.get('checkov_max_processes', '?')} processes; Pss {ck.get('checkov_peak_pss_mib', 0):.0f} "
                     f"vs {ck.get('specpatch_peak_pss_mib', 0):.0f} MiB)")
        lines += [f"  BROKEN {k}: {ck[k]}" for k in ("checkov_status", "specpatch_status") if ck.get(k, "ok") != "ok"]
    else:
        lines.append(f"  {ck.get('checkov', 'not measured')}")
    return "\n".join(lines)
