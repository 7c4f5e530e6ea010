"""Property tests: over generated kops specs (comments, quoting, indentation, list styles, line
endings), fixing is idempotent, keeps every other byte, and leaves no fixable FAIL."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fix_helpers import assert_fix_properties, changed_original_lines, fix_text

FIELDS = {
    "kubeAPIServer": [
        ("enableProfiling", ["true", "false"]),
        ("anonymousAuth", ["true", "false"]),
        ("auditLogPath", ["/var/log/a.log", "'/var/log/b.log'", '"/var/log/c.log"']),
        ("auditLogMaxAge", ["7", "30", "90"]),
        ("kubeletCertificateAuthority", ["/srv/kubernetes/ca.crt"]),
    ],
    "kubeControllerManager": [("enableProfiling", ["true", "false"]), ("horizontalPodAutoscalerSyncPeriod", ["15s"])],
    "kubelet": [("anonymousAuth", ["true", "false"]), ("readOnlyPort", ["0", "10255"]), ("rotateCertificates", ["false", "true"])],
}
COMMENTS = ["", "  # note", " # ünïcode ✓", "\t# tab before"]


@st.composite
def kops_spec(draw):
    step = draw(st.sampled_from([2, 4]))
    flush = draw(st.booleans())
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    pad = " " * step
    version = draw(st.sampled_from(["1.29.3", "1.31.0", "1.32.2", '"1.33.1"']))
    lines = [
        "# generated cluster" + draw(st.sampled_from(COMMENTS)),
        "apiVersion: kops.k8s.io/v1alpha2",
        "kind: Cluster",
        "metadata:",
        f"{pad}name: prop.example.com",
        "spec:",
        f"{pad}kubernetesVersion: {version}",
        f"{pad}authorization:",
        f"{pad * 2}rbac: {{}}",
    ]
    for block, fields in FIELDS.items():
        if not draw(st.booleans()):
            continue
        if draw(st.booleans()):
            lines.append(f"{pad}# about {block}")
        lines.append(f"{pad}{block}:" + draw(st.sampled_from(COMMENTS)))
        chosen = draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f[0], min_size=1, max_size=len(fields)))
        for name, values in chosen:
            lines.append(f"{pad * 2}{name}: {draw(st.sampled_from(values))}" + draw(st.sampled_from(COMMENTS)))
        if block == "kubeAPIServer" and draw(st.booleans()):
            if draw(st.booleans()):
                lines.append(f"{pad * 2}appendAdmissionPlugins: [AlwaysPullImages]")
            else:
                lines.append(f"{pad * 2}appendAdmissionPlugins:")
                lines.append(f"{pad * 2}{'' if flush else pad}- AlwaysPullImages")
        if draw(st.booleans()):
            lines.append("")
    lines.append(f"{pad}subnets:")
    lines.append(f"{pad}{'' if flush else pad}- name: a")
    lines.append(f"{pad}{'' if flush else pad}  zone: eu-west-1a")
    text = nl.join(lines)
    if draw(st.booleans()):
        text += nl
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kops_spec())
def test_fix_properties(text):
    after = assert_fix_properties(text)
    if "\r\n" in text:
        assert "\n" not in after.replace("\r\n", "")
    # every original comment survives
    for line in text.splitlines():
        if "#" in line:
            comment = line[line.index("#"):]
            assert comment in after


@settings(max_examples=30, deadline=None)
@given(kops_spec())
def test_only_edited_lines_change(text):
    after, _ = fix_text(text)
    # kubeAPIServer/KCM/kubelet scalar fixes replace at most one line each; the rest are inserts.
    assert changed_original_lines(text, after) <= 8
