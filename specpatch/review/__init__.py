"""Pull-request review: `.specpatch.yaml` config, waivers, `--baseline`, and the security diff of two specs.

Imports the core and text/; works on findings, so it never imports a format package.
"""
