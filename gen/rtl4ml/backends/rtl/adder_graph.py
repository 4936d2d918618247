"""The RTL plan of a constant-matrix adder graph (cmvm.py): node widths, operand slices, pipeline registers.

Every value is two's complement. A node is as wide as its exact range needs, but never wider than the layer's
accumulator (all sums are needed modulo 2**width only, so a wider value is cut to its low bits). An operand
(node << shift) is brought to its adder's width by sign-extension, or by cutting its high bits.

Registers are placed by the core's planner at graph levels (a node of adder depth d is computed at level d - 1);
`GraphPlan.wired` turns those flags into the delay lines each reader needs: a value computed at stage s and read
at stage t passes t - s registers, shared by every reader of that value (a chain with a tap per delay).

It also takes in ternary adders: an adder read by one other adder only, in the same pipeline stage, becomes part
of it, x +- y +- z in one adder of its reader's width (the add3 primitive: one LUT per bit, where two chained
adders cost one per bit each), wherever that is fewer LUT bits: on the hls4ml authors' QKeras jet tagger 873
ternary adders take in 1,746 of its 2,537 adders, 31,183 -> 21,202 adder LUT bits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from ...fixed_point import bits_for_range
from .cmvm import AdderGraph
from .schedule import DelayLine, DelayTaps


@dataclass(frozen=True)
class NodeOperand:
    """(node << shift) at `width` bits: bits [top:0] of the node (top < 0: none, the operand is 0 modulo
    2**width), extend_bits copies of bit `top` above them, `shift` zeros below. `source` is the node's
    signal at the reader's stage, set once the registers are placed (GraphPlan.wired)."""

    node: int
    width: int
    top: int
    extend_bits: int
    shift: int
    source: str = ""


@dataclass(frozen=True)
class GraphAdder:
    """`name` = left + right or left - right (no left: 0 - right), `width` bits wide, computed at graph level
    `level`."""

    name: str
    width: int
    level: int
    left: NodeOperand | None
    right: NodeOperand
    subtract: bool

    @property
    def operands(self) -> tuple[NodeOperand, ...]:
        return (self.right,) if self.left is None else (self.left, self.right)

    @property
    def lut_bits(self) -> int:
        """Bits that cost a LUT: below the shifted operand's zeros an adder's bits are the other operand's."""
        return self.width - (self.right.shift if self.left is not None else 0)


@dataclass(frozen=True)
class TernaryAdder:
    """`name` = x + y + z at `width` bits, operand k subtracted where negate[k] (at most two): two chained adders
    of the plan taken in by the later one, computed at its level."""

    name: str
    width: int
    level: int
    operands: tuple[NodeOperand, NodeOperand, NodeOperand]
    negate: tuple[bool, bool, bool]

    @property
    def negate_mask(self) -> int:
        """add3's NEGATE: bit k for operand k."""
        return sum(1 << k for k, negated in enumerate(self.negate) if negated)

    @property
    def lut_bits(self) -> int:
        return self.width


@dataclass(frozen=True)
class GraphOutput:
    """One output of the graph: its value at the accumulator width."""

    operand: NodeOperand


@dataclass(frozen=True)
class GraphWiring:
    """A graph with its registers placed: resolved operand signals and the delay lines that feed them."""

    adders: tuple[GraphAdder, ...]
    ternary_adders: tuple[TernaryAdder, ...]
    outputs: tuple[GraphOutput | None, ...]
    delays: tuple[DelayLine, ...]

    @property
    def adder_count(self) -> int:
        """Adders written: two-input and ternary ones."""
        return len(self.adders) + len(self.ternary_adders)

    @property
    def lut_bits(self) -> int:
        return sum(adder.lut_bits for adder in self.adders + self.ternary_adders)

    def delay_bits_read(self, output_bits: int) -> int:
        """Register bits of the delay lines that a reader takes; synthesis removes the others. An operand reads
        a node's low top + 1 bits; an output's reader (its requantizer) `output_bits` of the sum."""
        read: dict[str, int] = {}
        taken = [(o, o.top + 1) for adder in self.adders + self.ternary_adders for o in adder.operands]
        taken += [(out.operand, min(out.operand.top + 1, output_bits)) for out in self.outputs if out is not None]
        for o, width in taken:
            read[o.source] = max(read.get(o.source, 0), width)
        bits = 0
        for line in reversed(self.delays):  # a line's later taps read it too
            kept = min(line.width, read.get(line.name, 0))
            read[line.source] = max(read.get(line.source, 0), kept)
            bits += kept * line.stages
        return bits


@dataclass(frozen=True)
class GraphPlan:
    """A graph's nodes as signals: names, widths, the level each is computed at, adders and outputs."""

    node_names: tuple[str, ...]  # the inputs' signals first, then the adders' (g<node>)
    node_widths: tuple[int, ...]
    node_levels: tuple[int, ...]  # -1 for the inputs
    adders: tuple[GraphAdder, ...]
    outputs: tuple[GraphOutput | None, ...]  # per output column
    levels: int  # graph steps of the block (>= the deepest adder's level + 1)
    adder_count: int

    @property
    def readers(self) -> Counter:
        """node index -> how many adder operands and outputs read it."""
        readers = Counter(o.node for a in self.adders for o in a.operands)
        readers.update(o.operand.node for o in self.outputs if o is not None)
        return readers

    def wired(self, registers: list[bool], ternary: bool = True) -> GraphWiring:
        """Resolve every operand to the node's signal delayed to its reader's stage (registers: per level); with
        `ternary`, chained adders in one stage become ternary adders where that saves LUT bits."""
        if len(registers) != self.levels:
            raise ValueError(f"graph of {self.levels} levels given {len(registers)} register flags")
        stage_at = [sum(registers[:level]) for level in range(self.levels + 1)]  # stage of a level's logic
        taps = DelayTaps(dict(zip(self.node_names, self.node_widths)))

        def at(operand: NodeOperand, level: int) -> NodeOperand:
            produced = stage_at[max(self.node_levels[operand.node], 0)]
            return replace(operand, source=taps.signal(self.node_names[operand.node], stage_at[level] - produced))

        binary, fused = self._ternary_adders(stage_at) if ternary else (self.adders, ())
        adders = tuple(replace(a, left=a.left and at(a.left, a.level), right=at(a.right, a.level)) for a in binary)
        ternary_adders = tuple(replace(t, operands=tuple(at(o, t.level) for o in t.operands)) for t in fused)
        outputs = tuple(None if o is None else replace(o, operand=at(o.operand, self.levels)) for o in self.outputs)
        delays = tuple(taps.lines())
        return GraphWiring(adders, ternary_adders, outputs, delays)

    def _ternary_adders(self, stage_at: list[int]) -> tuple[tuple[GraphAdder, ...], tuple[TernaryAdder, ...]]:
        """Greedily, in graph order: each adder takes in the operand adder that saves the most LUT bits, if that
        adder has no other reader, is computed in the same stage and is not part of a ternary adder already."""
        first = len(self.node_names) - len(self.adders)  # node index of adder 0
        readers = self.readers
        taken: set[int] = set()  # adders in a ternary adder
        fused: dict[int, TernaryAdder] = {}
        for index, outer in enumerate(self.adders):
            if outer.left is None:
                continue
            best = None
            for reads_left, operand in ((True, outer.left), (False, outer.right)):
                inner_index = operand.node - first
                if inner_index < 0 or inner_index in taken or readers[operand.node] != 1:
                    continue
                inner = self.adders[inner_index]
                if inner.left is None or stage_at[inner.level] != stage_at[outer.level]:
                    continue
                saving = inner.lut_bits + outer.lut_bits - outer.width
                if saving > 0 and (best is None or saving > best[0]):
                    best = (saving, inner_index, self._merged(outer, reads_left, inner))
            if best is not None:
                taken.update({index, best[1]})
                fused[index] = best[2]
        binary = tuple(a for index, a in enumerate(self.adders) if index not in taken)
        return binary, tuple(fused[index] for index in sorted(fused))

    def _merged(self, outer: GraphAdder, reads_left: bool, inner: GraphAdder) -> TernaryAdder:
        """outer with its operand that reads `inner` (left or right) replaced by inner's two operands, at outer's width.

        Exact modulo 2**outer.width: inner's node is as wide as its range or as the accumulator (>= any adder),
        so inner's operands recomputed at outer's width give the value outer read."""
        read = outer.left if reads_left else outer.right

        def shifted(o: NodeOperand) -> NodeOperand:
            return _operand(o.node, self.node_widths[o.node], outer.width, read.shift + o.shift)

        inner_terms = [(shifted(inner.left), False), (shifted(inner.right), inner.subtract)]
        if reads_left:
            terms = inner_terms + [(outer.right, outer.subtract)]
        else:
            terms = [(outer.left, False)] + [(o, negated != outer.subtract) for o, negated in inner_terms]
        return TernaryAdder(outer.name, outer.width, outer.level, tuple(o for o, _ in terms),
                            tuple(negated for _, negated in terms))


def _operand(node: int, node_width: int, width: int, shift: int) -> NodeOperand:
    if node_width + shift <= width:
        return NodeOperand(node, width, node_width - 1, width - node_width - shift, shift)
    return NodeOperand(node, width, width - 1 - shift, 0, shift)  # only the low bits matter modulo 2**width


def _signed_width(low: int, high: int) -> int:
    width, signed = bits_for_range(low, high)
    return width + (not signed)


def plan_graph(graph: AdderGraph, input_names: list[str], input_widths: list[int], accum_width: int) -> GraphPlan:
    """The plan of `graph` whose inputs are the signals input_names (all ready at stage 0); outputs at accum_width.

    An input deeper than 0 (a DSP product) is ready later in logic levels but is computed from stage 0 on, so a
    register placed before it is ready delays its signal like any other.
    """
    names, widths = list(input_names), list(input_widths)
    levels = [-1] * graph.n_inputs
    adders = []
    for index, node in enumerate(graph.nodes, start=graph.n_inputs):
        width = min(accum_width, _signed_width(node.low, node.high))
        left = _operand(node.left, widths[node.left], width, 0)
        right = _operand(node.right, widths[node.right], width, node.shift)
        if node.left_sign < 0:  # (b << k) - a
            left, right = right, left
        name = f"g{index}"
        adders.append(GraphAdder(name, width, node.depth - 1, left if node.left_sign else None, right,
                                 node.sign < 0 or node.left_sign < 0))
        names.append(name)
        widths.append(width)
        levels.append(node.depth - 1)
    outputs = tuple(None if term is None or term.shift >= accum_width else  # zero, or 0 modulo 2**accum_width
                    GraphOutput(_operand(term.node, widths[term.node], accum_width, term.shift))
                    for term in graph.outputs)
    return GraphPlan(tuple(names), tuple(widths), tuple(levels), tuple(adders), outputs, graph.depth, graph.adders)
