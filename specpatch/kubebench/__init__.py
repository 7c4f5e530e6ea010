"""kube-bench results: text and JSON parsing, benchmark detection, the id crosswalk across numberings,
and bench-import (joining live results to a spec).

Imports the core and text/; reaches a format it joins against only through that format's `api` module.
"""
