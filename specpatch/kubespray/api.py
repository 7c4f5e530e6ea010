"""The one entry point other format packages use to reach kubespray (bench-import and kube-bench predictions).

Everything here is re-exported from the kubespray room; it imports nothing else.
"""

from __future__ import annotations

from specpatch.kubespray.predict import Facts, facts as etcd_facts, predict as predict_kube_bench

__all__ = ["Facts", "etcd_facts", "predict_kube_bench"]
