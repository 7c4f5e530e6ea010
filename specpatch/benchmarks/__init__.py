"""CIS benchmarks as data: loading the generated profiles, choosing the benchmark kube-bench would pick,
and organization profiles layered over them.

Core room: imports only the other core modules (model, versions) and text/; never a format package.
"""
