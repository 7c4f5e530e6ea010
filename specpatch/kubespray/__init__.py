"""kubespray: inventories with Ansible's precedence (YAML 1.1), variables mapped to component flags,
inventory hygiene, lint, fix planning and splicing.

Imports the core and text/ only; never another format package.
"""
