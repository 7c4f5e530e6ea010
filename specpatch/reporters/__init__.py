"""Reporters, one module per output format (text, json, markdown, sarif, github, junit).

They read a Report (core model) and may import the core and text/; never a format package.
"""
