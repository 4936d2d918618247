"""Group the IR's layers into RTL blocks (one generated module each), in data-flow order.

A Dense layer absorbs a directly following relu/linear activation (its requantization is fused
at the layer output) when nothing else reads the Dense output. Each layer class has its block
builder in RTL_BLOCKS, called with the block's identifier, the layer, the activation it absorbs (or None) and
its inputs' stored value ranges; a class without one is refused with the layer's name.
"""

from __future__ import annotations

from ...ir.graph import ModelGraph
from ...ir.layers import ActivationLayer, ReshapeLayer
from . import activations, dense, merge, pooling, recurrent, wiring  # noqa: F401  (they register the block builders)
from .block import RTL_BLOCKS, Block
from .dense import DENSE_EQUIVALENT
from .schedule import Schedule, schedule_core

# layer class -> the class of a directly following layer it absorbs
FUSES = {cls: ActivationLayer for cls in DENSE_EQUIVALENT}
# layer classes that are wiring only: no module, the next block reads their input's wires
WIRING_ONLY = (ReshapeLayer,)


def layer_budget(layers: list) -> int | None:
    """The tightest pipeline budget the block's layers ask for (None: the core's default)."""
    budgets = [layer.pipeline_budget for layer in layers if getattr(layer, "pipeline_budget", None)]
    return min(budgets) if budgets else None


def fused_follower(graph: ModelGraph, layer):
    """The layer `layer` absorbs: its only consumer, when of the class FUSES names and not a model output."""
    consumers = graph.consumers(layer.name)
    follower_class = FUSES.get(type(layer))
    if follower_class is None or layer.name in graph.outputs or len(consumers) != 1:
        return None
    follower = consumers[0]
    return follower if type(follower) is follower_class and follower.inputs == (layer.name,) else None


def build_blocks(graph: ModelGraph, identifiers: dict[str, str]) -> list[Block]:
    """One block per layer (or fused pair), in the graph's order."""
    blocks: list[Block] = []
    absorbed: set[str] = set()
    # every layer's builder first: a layer no builder knows is refused before anything is computed for it
    builders = {layer.name: RTL_BLOCKS(layer) for layer in graph.layers if not isinstance(layer, WIRING_ONLY)}
    ranges = graph.stored_ranges()
    for layer in graph.layers:
        if layer.name in absorbed or layer.name not in builders:
            continue
        follower = fused_follower(graph, layer)
        if follower is not None:
            absorbed.add(follower.name)
        blocks.append(builders[layer.name](identifiers[layer.name], layer, follower,
                                           [ranges[name] for name in layer.inputs]))
    for block in blocks:
        budget = layer_budget(block.layers)
        for step in block.steps:
            step.budget = budget
    return blocks


def block_signal(identifier: str) -> str:
    """The signal carrying a block's output (trace_<identifier>: testbenches read the io_parallel core's)."""
    return f"trace_{identifier}"


def schedule_graph(graph, blocks: list[Block], inputs: dict[str, tuple[str, int, int]], budget: int) -> Schedule:
    """Place every register of `blocks`, built from `graph` (a ModelGraph, or a recurrent cell with several inputs):
    `inputs` gives each input tensor's signal, bits and logic levels before it; the outputs are graph.outputs.
    A wiring-only layer's tensor is the signal of its input."""
    signals = {name: signal for name, (signal, _, _) in inputs.items()}
    widths = {signal: bits for signal, bits, _ in inputs.values()}
    by_last_layer = {block.layers[-1].name: block for block in blocks}
    for layer in graph.layers:
        if layer.name in by_last_layer:
            block = by_last_layer[layer.name]
            signals[layer.name] = block_signal(block.identifier)
            widths[signals[layer.name]] = block.n_out * block.out_type.width
        elif isinstance(layer, WIRING_ONLY):
            signals[layer.name] = signals[layer.inputs[0]]
    nodes = [(block_signal(block.identifier), block, [signals[name] for name in block.layers[0].inputs])
             for block in blocks]
    return schedule_core(nodes, {signal: depth for signal, _, depth in inputs.values()},
                         [signals[name] for name in graph.outputs], widths, budget)
