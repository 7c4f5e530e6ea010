"""Reporters, one module per output format (text, json, markdown, sarif, github, junit).

They read a Report (core model) and may import the core, text/ and review/ (check names, waivers);
never a format package or a command: what only a command knows (the `specpatch explain` page used as
SARIF help) is handed in through reporters._common.ReviewContext.
"""
