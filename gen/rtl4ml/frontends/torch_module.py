"""A live PyTorch (or Brevitas) module, through torch's own ONNX export into the ONNX frontend.

torch is an optional extra (its wheels are gigabytes); nothing here imports it unless a module is passed. Why ONNX
and not torch.fx: one frontend reads what PyTorch and Brevitas users exchange anyway (files from
`torch.onnx.export` and `brevitas.export.export_qonnx`), the committed ONNX fixtures test it without torch, and the
export resolves Python control flow that an fx trace of an arbitrary module may not.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import fail
from .spec import ModelSpec


def is_torch_module(obj) -> bool:
    return any(cls.__name__ == "Module" and cls.__module__.startswith("torch.nn") for cls in type(obj).__mro__)


def _is_brevitas(module) -> bool:
    return any(type(part).__module__.startswith("brevitas") for part in module.modules())


def torch_model_spec(module, input_shape) -> ModelSpec:
    """Export `module` (in eval mode) for one event of `input_shape` (no batch axis, channels first as the module
    takes it) and read the ONNX graph."""
    if input_shape is None:
        raise fail(f"a PyTorch module ({type(module).__name__}) needs its input shape without the batch axis, "
                   "e.g. input_shape=(16,) or (1, 8, 8)")
    import onnx
    import torch

    from .onnx_model import read_onnx

    try:
        shape = tuple(int(n) for n in input_shape)
    except (TypeError, ValueError):
        raise fail(f"input_shape {input_shape!r} is not a tuple of sizes") from None
    module.eval()
    example = torch.zeros(1, *shape)
    with tempfile.TemporaryDirectory(prefix="rtl4ml-torch-") as scratch:
        path = Path(scratch) / f"{type(module).__name__}.onnx"
        if _is_brevitas(module):
            from brevitas.export import export_qonnx

            export_qonnx(module, example, export_path=str(path))
        else:
            torch.onnx.export(module, (example,), str(path), input_names=["x"], dynamo=False)
        model = onnx.load(str(path))  # our own export: its external data, if any, is beside it
    return read_onnx(model, type(module).__name__)
