"""da4ml's CMVM solver on the matrices of bench/cmvm_adders.py, for the comparison on identical matrices.

Runs in an interpreter that has da4ml (not a dependency of rtl4ml: `python -m venv D && D/bin/pip install da4ml`);
bench/cmvm_adders.py --da4ml-python D/bin/python calls it. Prints one JSON object: per matrix set and size, the
mean number of adders (da4ml's add/subtract operations) of its default solve with the inputs' 8-bit ranges, of
the same at minimum depth (hard_dc=0), and of the call da4ml's artifact evaluation makes for its published table
(github.com/calad0i/da4ml-ae, table2.ipynb: method0='wmc', search_all_decompose_dc=False, default input ranges);
and the solver's version.

    D/bin/python bench/da4ml_cmvm.py MATRICES.npz
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

import numpy as np


def adders(pipeline) -> int:
    return sum(1 for solution in pipeline.solutions for op in solution.ops if op.opcode in (0, 1))


def main() -> None:
    from da4ml.cmvm import QInterval, solve  # 0.5.x (numba) takes input ranges only as QInterval

    matrices = np.load(sys.argv[1])
    result = {"version": version("da4ml")}
    for key in matrices.files:  # "<set>_n<N>": [trials, N, N] integer matrices of 8-bit constants
        stack = matrices[key].astype(np.float32)
        ranges = [QInterval(-128.0, 127.0, 1.0)] * stack.shape[1]
        result[key] = {
            "unbounded": float(np.mean([adders(solve(w, qintervals=ranges)) for w in stack])),
            "minimum": float(np.mean([adders(solve(w, qintervals=ranges, hard_dc=0)) for w in stack])),
            "artifact": float(np.mean([adders(solve(w, method0="wmc", search_all_decompose_dc=False))
                                       for w in stack])),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
