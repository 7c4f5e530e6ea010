"""Shared text tools: positioned YAML, splices of YAML text, unified diffs, atomic file writes, reading
local files, value rendering and name spellings.

Imports only the core (model, plan); never a format package, a command or a reporter.
"""
