"""A file's byte-order mark survives an in-place write (readers drop it from the text)."""

from __future__ import annotations

from specpatch.text.atomic import write_atomic


def test_write_keeps_the_files_bom(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_bytes(b"\xef\xbb\xbfa: 1\n")
    write_atomic(str(f), "a: 2\n")
    assert f.read_bytes() == b"\xef\xbb\xbfa: 2\n"


def test_write_adds_no_bom_to_a_file_without_one(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_bytes(b"a: 1\n")
    write_atomic(str(f), "a: 2\n")
    assert f.read_bytes() == b"a: 2\n"
