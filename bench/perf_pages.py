"""The documentation's performance page, generated from the benchmarks' result files in bench/results/ (each with the
commit and date it was measured at), so no figure on it is typed by hand. `make perf` runs it; `tests/test_docs.py`
checks that the page in the repository is what the result files give.

    .venv/bin/python bench/perf_pages.py [--results bench/results] [--out docs/performance/index.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PAGE = ROOT / "docs" / "performance" / "index.md"
FIGURES = "../figures"  # relative to the page


def load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def measured_at(result: dict, command: str) -> str:
    tools = ", ".join(f"{name} {version}" for name, version in result.get("tools", {}).items())
    return f"Measured by `{command}` at commit `{result['commit']}` on {result['date']}" + \
        (f" ({tools})." if tools else ".")


def percent(value) -> str:
    return "—" if value is None else f"{100 * value:.2f} %"


def table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
        ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def figures_pair(measured: int | None, planned: int | None) -> str:
    return f"{measured} (planned {planned})" if planned is not None and planned != measured else f"{measured}"


def job_descriptions() -> dict:
    """What each bundled job is, from sim/tests.yml (a description, not a measured figure)."""
    import yaml

    return {name: job["description"] for name, job in yaml.safe_load((ROOT / "sim" / "tests.yml").read_text()).items()}


def bundled_section(result: dict) -> list[str]:
    descriptions = job_descriptions()
    rows = []
    for name, job in result["jobs"].items():
        heads = job.get("heads") or {}
        scored = [head for head in heads.values() if "keras_argmax_agreement" in head]
        head = scored[0] if scored else {}
        latency = job.get("LatencyMin") if job.get("LatencyMin") == job.get("LatencyMax") else \
            f"{job.get('LatencyMin')}–{job.get('LatencyMax')}"
        synthesized = job.get("resources") or {}
        rows.append((f"`{name}`", job.get("io_type", "io_parallel"), job.get("compared"),
                     job.get("mismatches"), figures_pair(latency, job.get("analytic_latency")),
                     figures_pair(job.get("IntervalMax"), job.get("analytic_interval")),
                     percent(head.get("keras_argmax_agreement")),
                     f"{percent(head.get('accuracy'))} ({percent(head.get('keras_accuracy'))})" if head else "—",
                     *(f"{synthesized[key]:,}" if key in synthesized else "—" for key in ("LUT", "FF", "DSP",
                                                                                          "BRAM_18K"))))
    return ["## Bundled designs", "",
            "Each bundled `make sim` job: every event through the Verilog core in Verilator, compared bit for bit with "
            "the golden model; latency and interval measured in clock cycles (io_stream: per frame, first input beat "
            "to last output beat, and cycles between frames); agreement of the highest class with the framework's own "
            "float output, and accuracy on the jets' true labels (Keras's in brackets); resources from Yosys "
            "(`rtl4ml report`: each layer synthesized with `synth_xilinx` for the part, fast LUT mapping, summed), "
            "where run. " +
            measured_at(result, "python bench/bundled_jobs.py"), ""] + table(
        ("job", "IOType", "events", "mismatches", "latency", "interval", "Keras argmax agreement",
         "accuracy (Keras)", "LUT", "FF", "DSP", "BRAM_18K"), rows) + [""] + \
        [f"- `{name}`: {descriptions.get(name, job['description'])}" for name, job in result["jobs"].items()] + [""]


def accuracy_section(result: dict) -> list[str]:
    rows = [(f"`{name}`", model["jets"], percent(model["keras_accuracy"]), percent(model["golden_accuracy"]),
             percent(model["rtl_accuracy"]), model["rtl_golden_mismatches"],
             " / ".join(f"{auc:.3f}" for auc in model["rtl_auc"].values()),
             percent(model["rtl_keras_argmax_agreement"])) for name, model in result["models"].items()]
    lines = ["## Jet-tagger accuracy on the hardware's outputs", "",
             "The full test split of the jet data (70/30 stratified, seed 42): Keras float, the golden fixed-point model "
             "and the Verilog core's own outputs (compiled Verilator harness), with per-class ROC AUC (g / q / w / z / t) "
             "of the RTL outputs. " + measured_at(result, "python bench/jet_accuracy.py --plots docs/figures"), ""]
    lines += table(("model", "jets", "Keras float", "golden", "RTL", "RTL ≠ golden events", "AUC (RTL)",
                    "RTL–Keras argmax agreement"), rows) + [""]
    for name, model in result["models"].items():
        if model.get("roc_plot"):
            lines += [f"![{name}: ROC curves, Keras float vs RTL outputs]({FIGURES}/{model['roc_plot']})", ""]
    scan = result.get("bit_width_scan")
    if scan:
        integers = list(scan["accuracy_by_integer_bits"])
        luts, dsps = scan.get("analytic_lut_by_integer_bits"), scan.get("analytic_dsp_by_integer_bits")

        def cost(i: str, k: int) -> str:
            if not luts:
                return ""
            return f" ({luts[i][k]:,} LUT" + (f", {dsps[i][k]:,} DSP)" if dsps[i][k] else ")")

        rows = [(width, *(percent(scan["accuracy_by_integer_bits"][i][k]) + cost(i, k) for i in integers))
                for k, width in enumerate(scan["widths"])]
        lines += ["### Accuracy against the bit width", "",
                  "The whole `jet_tagger` at one `ap_fixed<W,I>` for every tensor (golden model = RTL bit for bit)" +
                  (", with the analytic resource estimate of each core" if luts else "") + f"; Keras float: {percent(scan['keras_accuracy'])}.", ""]
        lines += table(("W", *(f"I = {i}" for i in integers)), rows) + [""]
        if scan.get("plot"):
            lines += [f"![accuracy against bit width]({FIGURES}/{scan['plot']})", ""]
        if scan.get("cost_plot"):
            lines += [f"![accuracy against LUTs]({FIGURES}/{scan['cost_plot']})", ""]
    return lines


def stream_section(result: dict) -> list[str]:
    rows = []
    for model in result["results"]:
        synth = model.get("yosys_flat") or {}
        rows.append((f"`{model['model']}`", model["frames"], figures_pair(model["LatencyFirst"], model["planned_latency"]),
                     figures_pair(model["IntervalMax"], model["planned_interval"]),
                     f"{model['dsp_multipliers']} / {model['lut_multipliers']}",
                     "yes" if model["verilog_bit_exact"] else "**no**", "yes" if model["csim_bit_exact"] else "**no**",
                     synth.get("line", "not run")))
    return ["## Streamed models (`IOType: io_stream`)", "",
            "`svhn` is the architecture of hls4ml's SVHN digit classifier (32 × 32 × 3 → three blocks of Conv2D 3 × 3 "
            "with 16, 16, 24 filters + BatchNormalization + ReLU + MaxPooling 2 × 2 → Flatten → Dense 42 → 64 → 10 → "
            "softmax) with random 6-bit weights; `jet_image_stream` the bundled jet-image tagger of that architecture "
            "(32 × 32 × 2, trained, QKeras 6-bit); `svhn_dsp` the SVHN architecture with its products on DSPs "
            "(`LutsPerDsp: 0`) as rate matching folds it (the convolutions after a pooling and the Dense layers on "
            "vectors time-multiplexed to their rate: fewer multipliers, more latency), `svhn_dsp_parallel` the same "
            "with those at `ReuseFactor: 1`. Frames back to back through "
            "the compiled harness: latency of the first frame (first input beat to last output beat) and the most "
            "cycles between frames; every frame compared with the golden model in Verilog and HLS C++. "
            "Resources from the flat Yosys flow with `--synth`. " +
            measured_at(result, "python bench/stream_models.py"), ""] + table(
        ("model", "frames", "latency", "frame interval", "multipliers (DSP / LUT)", "Verilog bit-exact",
         "HLS C++ bit-exact",
         "flat Yosys"), rows) + [""]


def recurrent_section(unrolled: dict | None, static: dict | None) -> list[str]:
    taggers, large = [], []
    for model in [model for result in (unrolled, static) if result for model in result["results"]]:
        reused = model.get("form") == "static"
        # static: the latency of a sequence into an idle core (back to back, one waits in the registers before the
        # cell); unrolled: every sequence's
        latency = figures_pair(model["LatencyMin" if reused else "LatencyMax"], model["planned_latency"])
        interval = figures_pair(model["IntervalMax"], model["planned_interval"])
        cycles = (f"{model['cycles_per_step']} (the cell's loop)" if reused else
                  f"{model['first_step_cycles']} + {model['cycles_per_step']:.2f} per step")
        if "jets" in model:
            synth = (model.get("yosys_flat") or {}).get("line", "not run")
            taggers.append((model["model"], "static (io_stream)" if reused else "unrolled (io_parallel)", model["jets"],
                            latency, interval, cycles, f"{model['mismatches']} of {model['jets']:,}",
                            percent(model["keras_argmax_agreement"]),
                            f"{percent(model['rtl_accuracy'])} ({percent(model['float_accuracy'])})", synth))
        else:
            large.append((model["model"], model["sequences"], latency, interval, cycles,
                          f"{model['mismatches']} of {model['sequences']:,}", f"{model['convert_s']:.0f} s"))
    lines = ["## Recurrent taggers, unrolled and static", "",
             "The top-tagger shape: 20 constituents × 6 features → LSTM 20 or GRU 20 with `return_sequences` → Flatten "
             "→ Dense 5 → softmax, trained briefly (float Keras) on the generated jets, converted with the types of "
             "`bench/recurrent_models.py` (18 bits rounded to nearest, 4096-entry tables), unrolled (`io_parallel`: "
             "a jet per beat, one cell per step) and static (`io_stream`: a constituent per beat, one cell reused; "
             "both forms give the same codes). Latency and interval measured in Verilator on held-out jets; cycles "
             "per step from the plan (unrolled: the stage at which each step's state is ready; static: the cell's "
             "loop). Resources from the flat Yosys flow with `--synth` (the unrolled cores at these types are "
             "beyond what the WebAssembly Yosys can hold in memory). " +
             " ".join(f"{form.capitalize()}: " + measured_at(result, f"python bench/recurrent_models.py --form {form}")
                      for form, result in (("unrolled", unrolled), ("static", static)) if result), ""] + table(
        ("model", "form", "jets", "latency", "interval", "cycles per step", "Verilog mismatches",
         "Keras argmax agreement", "accuracy (Keras)", "flat Yosys"), taggers) + [""]
    if large:
        lines += ["Larger shapes, static, random weights, simulated bit for bit in Verilator:", ""] + table(
            ("model", "sequences", "latency", "interval", "cycles per step", "Verilog mismatches", "convert"),
            large) + [""]
    return lines


def hgq2_section(result: dict) -> list[str]:
    def row(model: dict, label: str) -> tuple:
        synth = model.get("yosys_flat") or {}
        return (f"`{model['model']}`", label, percent(model["accuracy"]), percent(model["framework_accuracy"]),
                f"{model['verilog_mismatches']} of {model['verilog_jets']:,}", model["latency"],
                *(f"{synth[key]:,}" if key in synth else "—" for key in ("LUT", "FF", "CARRY", "DSP")))
    rows = [row(m, f"epoch {m['epoch']} of {m['epochs']}, {m['ebops']:,.0f} EBOPs") for m in result["hgq2"]] + \
        [row(m, f"{m['bits']} bits") for m in result["qkeras"]]
    paired = [f"- `{p['hgq2']}`: " + (f"{p['lut_ratio']:.2f} × the LUTs of `{p['qkeras']}`, the cheapest QKeras twin "
                                      "at least as accurate" if p["qkeras"] else "no QKeras twin is as accurate")
              for p in result["pairs"]]
    hidden = "-".join(map(str, [16, *result["hidden"], 5]))
    return ["## HGQ2 and uniform QKeras at equal accuracy", "",
            f"The jet tagger {hidden} (ReLU, logits out) trained on the same jets twice: with HGQ2 (a bit width per "
            "weight and per activation element; one run whose EBOPs weight beta rises log-linearly from "
            f"{result['hgq2'][0]['beta'][0]:.0e} to {result['hgq2'][0]['beta'][1]:.0e}, models taken from its Pareto "
            "front of validation accuracy against EBOPs) and with QKeras at one bit width for every weight, bias and "
            "ReLU (the features at 3 more bits, 3 of them integer). Accuracy of rtl4ml's "
            f"golden model (the core, bit for bit) on {result['test_jets']:,} test jets, the framework's own accuracy "
            "beside it; Verilog mismatches on the first jets; resources from the flat Yosys flow. " +
            measured_at(result, "make bench-hgq2"), ""] + table(
        ("model", "quantization", "accuracy", "framework's accuracy", "Verilog mismatches", "latency", "LUT", "FF",
         "CARRY", "DSP"), rows) + [""] + paired + [""]


def throughput_section(golden: dict | None, csim: dict | None) -> list[str]:
    rows = []
    if golden:
        rows.append(("golden model (numpy), one thread, float inputs", f"{golden['events']:,}",
                     f"{golden['predict_events_per_s']['best']:,.0f}", f"{golden['predict_events_per_s']['median']:,.0f}",
                     "—", measured_at(golden, "python bench/golden_throughput.py")))
    if csim:
        rows.append(("HLS C++ (g++ -O3, ap_fixed), one process per core", f"{csim['events']:,}",
                     f"{csim['events_per_s']:,.0f}", "—", csim["mismatches"],
                     measured_at(csim, "python bench/csim_throughput.py")))
    return ["## Throughput of the software models", "",
            "Events per second of the bundled jet tagger (16-64-32-32-5, `ap_fixed<16,6>`) in the two software models "
            "that answer `predict` and `csim`; the machine's CPU is shared, so the best of several runs is the least "
            "disturbed.", ""] + table(("model", "events", "events/s (best)", "events/s (median)",
                                       "mismatches vs golden", "measured"), rows) + [""]


def page(results: Path) -> str:
    lines = ["# Measured performance", "",
             "<!-- generated by bench/perf_pages.py from bench/results/*.json; do not edit -->", "",
             "Every figure on this page comes from a benchmark's result file in `bench/results/`, with the commit and "
             "date it was measured at; `make perf` regenerates the page. The machine: 2 cores. How strong the tests are is on {doc}`../test_strength`.", ""]
    sections = (("bundled_jobs", bundled_section), ("jet_accuracy", accuracy_section),
                ("stream_models", stream_section), ("hgq2_vs_qkeras", hgq2_section))
    for name, section in sections:
        result = load(results, name)
        if result is not None:
            lines += section(result)
        if name == "stream_models":
            unrolled, static = load(results, "recurrent_unrolled"), load(results, "recurrent_static")
            lines += recurrent_section(unrolled, static) if unrolled or static else []
    golden, csim = load(results, "golden_throughput"), load(results, "csim_throughput")
    if golden or csim:
        lines += throughput_section(golden, csim)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page(args.results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
