"""The commands behind the CLI: turn PATH arguments into targets of each format, lint, apply, explain.

The only room (with cli.py) that may import every format package; formats never import it.
"""
