"""The wired adder-graph plan (backends/rtl/adder_graph.py) as the HDL computes it: operand slices, sign extension,
widths modulo 2**width, delay lines and ternary adders, against the matrix product modulo the accumulator."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rtl4ml.backends.rtl.adder_graph import plan_graph
from rtl4ml.backends.rtl.cmvm import solve
from rtl4ml.fixed_point import bits_for_range
from test_cmvm import RANGES, inputs_for, matrices


def _signed_width(low, high):
    width, signed = bits_for_range(low, high)
    return width + (not signed)


def evaluate_wiring(plan, wiring, codes: dict) -> dict:
    """Every signal's value as unsigned bits of its width, the way the templates print the plan."""
    widths = dict(zip(plan.node_names, plan.node_widths))
    definitions = {d.name: ("delay", d.source) for d in wiring.delays}
    definitions |= {a.name: ("add", a) for a in wiring.adders}
    definitions |= {t.name: ("add3", t) for t in wiring.ternary_adders}
    values = dict(codes)

    def value(name):
        if name not in values:
            kind, what = definitions[name]
            if kind == "delay":
                values[name] = value(what)
            elif kind == "add":
                left = operand(what.left) if what.left is not None else 0
                right = operand(what.right)
                values[name] = (left - right if what.subtract else left + right) % (1 << what.width)
            else:
                terms = [-operand(o) if negated else operand(o) for o, negated in zip(what.operands, what.negate)]
                values[name] = sum(terms) % (1 << what.width)
        return values[name]

    def operand(o):
        if o.top < 0:
            return 0
        bits = value(o.source) & ((1 << (o.top + 1)) - 1)
        if bits >> o.top & 1:
            bits |= ((1 << o.extend_bits) - 1) << (o.top + 1)
        return (bits << o.shift) % (1 << o.width)

    for adder_name, width in widths.items():
        if adder_name not in values and adder_name in definitions:
            value(adder_name)
    return {"outputs": [None if o is None else operand(o.operand) for o in wiring.outputs], "values": values}


@settings(max_examples=120, deadline=None)
@given(matrices(), RANGES, st.integers(4, 30), st.data())
def test_the_wired_plan_computes_the_product_modulo_the_accumulator_with_and_without_ternary_adders(
        weight, ranges, accum_width, data):
    n = weight.shape[0]
    graph = solve(weight, ranges[:n], max_depth=0)
    widths = [_signed_width(low, high) for low, high in ranges[:n]]
    plan = plan_graph(graph, [f"x{i}" for i in range(n)], widths, accum_width)
    registers = data.draw(st.lists(st.booleans(), min_size=plan.levels, max_size=plan.levels))
    x = inputs_for(ranges, n)
    expected = (x.astype(object) @ weight.astype(object)) % (1 << accum_width)
    bits = {}
    for ternary in (False, True):
        wiring = plan.wired(registers, ternary)
        bits[ternary] = wiring.lut_bits
        assert ternary or not wiring.ternary_adders
        for event, row in enumerate(x):
            codes = {f"x{i}": int(v) % (1 << widths[i]) for i, v in enumerate(row)}
            got = evaluate_wiring(plan, wiring, codes)["outputs"]
            assert [0 if g is None else g for g in got] == list(expected[event]), (ternary, event)
    assert bits[True] <= bits[False]


def test_chained_adders_in_one_stage_become_one_ternary_adder_and_a_register_keeps_them_apart():
    # one output summing three inputs: two chained adders, the first read only by the second
    weight = np.array([[1], [1], [1]])
    plan = plan_graph(solve(weight, [(-100, 100)] * 3, max_depth=0), ["a", "b", "c"], [8, 8, 8], 16)
    assert len(plan.adders) == 2 and plan.levels == 2
    together = plan.wired([False, False])
    assert not together.adders and len(together.ternary_adders) == 1
    assert together.ternary_adders[0].lut_bits < sum(a.lut_bits for a in plan.adders)
    apart = plan.wired([True, False])  # a register after the first adder: its sum is what waits
    assert len(apart.adders) == 2 and not apart.ternary_adders


def test_a_difference_chain_keeps_its_signs_in_the_ternary_adder():
    weight = np.array([[1], [-1], [-4]])  # a - b - 4c: two subtracted operands
    plan = plan_graph(solve(weight, [(0, 15)] * 3, max_depth=0), ["a", "b", "c"], [5, 5, 5], 12)
    wiring = plan.wired([False] * plan.levels)
    assert len(wiring.ternary_adders) == 1 and sum(wiring.ternary_adders[0].negate) == 2
    for a, b, c in [(0, 0, 0), (15, 0, 0), (0, 15, 15), (7, 3, 9)]:
        got = evaluate_wiring(plan, wiring, {"a": a, "b": b, "c": c})["outputs"][0]
        assert got == (a - b - 4 * c) % (1 << 12)


def test_delay_lines_count_only_the_bits_their_readers_take():
    plan = plan_graph(solve(np.array([[1], [1]]), [(-100, 100)] * 2, max_depth=0), ["a", "b"], [8, 8], 16)
    wiring = plan.wired([True])  # the sum waits one register for its output's requantizer
    (line,) = wiring.delays
    assert line.width == plan.adders[0].width == 9 and line.stages == 1
    assert wiring.delay_bits_read(output_bits=32) == 9  # the sum's sign extension is read from its top bit
    assert wiring.delay_bits_read(output_bits=4) == 4  # a requantizer that reads 4 bits keeps 4 registers
