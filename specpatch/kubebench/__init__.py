"""kube-bench results: text parsing (textparse), JSON parsing (jsonparse), benchmark detection (detect,
catalog), the id crosswalk across numberings (crosswalk), bench-import (join, onnode) and
`lint --predict kube-bench` (predict). `parse` is the entry point callers import.

Imports the core and text/; reaches a format it joins against only through that format's `api` module.
"""
