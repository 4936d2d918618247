"""The ONNX graph's own float outputs, the reference rtl4ml's outputs are compared with (as keras_reference.py is
for Keras): onnxruntime for plain ONNX, qonnx's executor for graphs with QONNX quantizers."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _is_qonnx(model) -> bool:
    return any(node.domain.startswith(("qonnx", "finn")) for node in model.graph.node)


def onnx_outputs(model_path, X) -> np.ndarray | None:
    """Outputs [events, n] (each output channels last and flattened, side by side) of the ONNX model on X given as
    rtl4ml takes it (``[events, *spatial, channels]``); None when onnxruntime (plain ONNX) or qonnx (QONNX) is not
    installed."""
    try:
        import onnx
    except ImportError:
        return None
    model = onnx.load(str(Path(model_path)))
    X = np.asarray(X, dtype=np.float32)
    if X.ndim > 2:  # channels first, as the graph takes it
        X = np.moveaxis(X, -1, 1)
    initializers = {initializer.name for initializer in model.graph.initializer}
    graph_input = next(value.name for value in model.graph.input if value.name not in initializers)
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    per_event = batch.HasField("dim_value") and batch.dim_value == 1  # exported for one event
    if _is_qonnx(model):
        try:
            from qonnx.core.modelwrapper import ModelWrapper
            from qonnx.core.onnx_exec import execute_onnx
        except ImportError:
            return None
        from qonnx.transformation.infer_shapes import InferShapes

        for value in model.graph.input:  # one event at a time, every shape known, as qonnx's executor needs
            if value.name == graph_input:
                value.type.tensor_type.shape.dim[0].dim_value = 1
        per_event = True
        wrapper = ModelWrapper(model).transform(InferShapes())
        names = [value.name for value in model.graph.output]

        def run(x):
            results = execute_onnx(wrapper, {graph_input: x})
            return [results[name] for name in names]
    else:
        try:
            import onnxruntime
        except ImportError:
            return None
        session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])

        def run(x):
            return session.run(None, {graph_input: x})
    if per_event:
        outputs = [run(X[i:i + 1]) for i in range(len(X))]
        outputs = [np.concatenate([event[k] for event in outputs]) for k in range(len(outputs[0]))]
    else:
        outputs = run(X)
    # channels last, as rtl4ml's outputs are
    outputs = [np.moveaxis(y, 1, -1) if np.ndim(y) > 2 else y for y in outputs]
    return np.concatenate([np.asarray(y, dtype=np.float64).reshape(len(X), -1) for y in outputs], axis=1)
