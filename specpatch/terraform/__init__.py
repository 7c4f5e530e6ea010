"""Terraform layer: a positioned HCL parse of .tf files and minimal text edits to them.

`hclpos` reads .tf text into PNode trees with exact offsets, `tfvars` loads a folder and
resolves simple var./local. references, `hcledit` turns "make this argument hold that value"
into Edit spans, `lint`/`fix` read and patch kops clusters kept in Terraform. Nothing here imports
python-hcl2; it is only used by the tests to cross-check.

Imports the core and text/; reaches kops (kops_cluster resources are kops specs) only through `specpatch.kops.api`.
"""

from specpatch.terraform.hcledit import UneditableError, add_to_list, apply_edits, remove_attribute, render_value, set_attribute
from specpatch.terraform.hclpos import Attr, Block, Body, TfFile, TfResource, block_list, parse_hcl, parse_tf
from specpatch.terraform.tfvars import TfFolder, load_folder, parse_tfvars, resolve_expr

__all__ = [
    "Attr",
    "Block",
    "Body",
    "TfFile",
    "TfFolder",
    "TfResource",
    "UneditableError",
    "add_to_list",
    "apply_edits",
    "block_list",
    "load_folder",
    "parse_hcl",
    "parse_tf",
    "parse_tfvars",
    "remove_attribute",
    "render_value",
    "resolve_expr",
    "set_attribute",
]
