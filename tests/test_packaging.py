"""A non-editable install ships every Python package and the RTL it generates from."""

import pytest

from conftest import ROOT

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"rtl4ml." + ".".join(p.parent.relative_to(ROOT / "gen" / "rtl4ml").parts)
             for p in (ROOT / "gen" / "rtl4ml").rglob("__init__.py")}
    found = {name.rstrip(".") for name in found}
    assert found <= listed, f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"


def test_rtl_primitives_used_by_the_writer_exist_as_package_data():
    from rtl4ml.backends.rtl.writer import PRIMITIVES
    from rtl4ml.resources import rtl_dir, rtl_templates_dir

    assert all((rtl_dir() / name).is_file() for name in PRIMITIVES)
    assert {p.name for p in rtl_templates_dir().glob("*.j2")} >= {"top.v.j2", "dense_layer.v.j2"}


def test_every_verilog_primitive_has_its_vhdl_twin_as_package_data():
    from rtl4ml.resources import rtl_dir

    verilog = {p.stem for p in rtl_dir().glob("*.v")}
    assert verilog and verilog == {p.stem for p in (rtl_dir() / "vhdl").glob("*.vhd")}
