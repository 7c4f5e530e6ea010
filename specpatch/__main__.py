"""`python -m specpatch`: the same entry point as the `specpatch` command."""

from specpatch.cli import main

main()
