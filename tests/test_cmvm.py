"""The constant-matrix adder graph (backends/rtl/cmvm.py): exact by construction, shares, honours its depth bound."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rtl4ml.backends.rtl.cmvm import plain_depth, solve, solve_by_columns, tree_depth
from rtl4ml.backends.rtl.shift_add import csd_digits


def matrices(max_side=6, bits=9):
    shape = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shape.flatmap(lambda s: hnp.arrays(np.int64, s, elements=st.integers(-2**bits, 2**bits)))


def inputs_for(draw_ranges, n, events=40, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(low, high + 1, size=events) for low, high in draw_ranges[:n]], axis=1)


RANGES = st.lists(st.tuples(st.integers(-300, 0), st.integers(0, 300)), min_size=6, max_size=6)


@settings(max_examples=150, deadline=None)
@given(matrices(), RANGES, st.sampled_from([None, 0, 1, 3]))
def test_graph_evaluation_equals_the_matrix_product_and_outputs_are_positive_terms(weight, ranges, max_depth):
    graph = solve(weight, ranges[:weight.shape[0]], max_depth)
    assert all(t is None or t.sign == 1 for t in graph.outputs)
    x = inputs_for(ranges, weight.shape[0])
    # the end points too: the node ranges below must hold at the extremes
    x = np.concatenate([x, np.array([[low for low, _ in ranges[:weight.shape[0]]],
                                     [high for _, high in ranges[:weight.shape[0]]]])])
    np.testing.assert_array_equal(graph.evaluate(x), x.astype(object) @ weight.astype(object))


@settings(max_examples=100, deadline=None)
@given(matrices(), RANGES)
def test_every_node_range_holds_every_value_it_takes(weight, ranges):
    graph = solve(weight, ranges[:weight.shape[0]])
    n = weight.shape[0]
    corners = np.array([[ranges[i][(k >> i) & 1] for i in range(n)] for k in range(2 ** n)])
    values = [corners[:, i].astype(object) for i in range(n)]
    for node in graph.nodes:
        value = node.left_sign * values[node.left] + node.sign * values[node.right] * (1 << node.shift)
        # a node is linear in the inputs: its extremes are at corners of the input box, and the range is exact
        assert value.min() == node.low and value.max() == node.high
        values.append(value)


@settings(max_examples=100, deadline=None)
@given(matrices(max_side=8, bits=7), st.lists(st.integers(0, 3), min_size=8, max_size=8))
def test_a_depth_bound_at_the_plain_depth_is_kept_with_late_inputs(weight, depths):
    depths = depths[:weight.shape[0]]
    graph = solve(weight, [(-128, 127)] * weight.shape[0], max_depth=0, input_depths=depths)
    # a column of negative terms only needs one negation after its tree
    assert graph.depth <= plain_depth(weight, depths) + 1


def test_shared_subexpressions_need_fewer_adders_than_separate_digits():
    rng = np.random.default_rng(3)
    weight = rng.integers(-128, 128, size=(8, 8))
    separate = sum(len(csd_digits(int(w))) for w in weight.ravel()) - weight.shape[1]
    graph = solve(weight, [(-128, 127)] * 8)
    assert graph.adders < 0.7 * separate
    np.testing.assert_array_equal(graph.evaluate(np.eye(8, dtype=np.int64)), weight)


def test_a_pattern_shared_by_two_outputs_is_one_adder():
    # y0 = x0 + 2 x1 and y1 = 4 x0 + 8 x1 = (x0 + 2 x1) << 2: one adder serves both
    graph = solve(np.array([[1, 4], [2, 8]]), [(-8, 7), (-8, 7)])
    assert graph.adders == 1
    assert [t.shift for t in graph.outputs] == [0, 2] and graph.outputs[0].node == graph.outputs[1].node


def test_zero_columns_are_none_and_the_shallowest_tree_is_taken():
    graph = solve(np.array([[0, 1], [0, 1], [0, 1], [0, 1]]), [(0, 3)] * 4, max_depth=0)
    assert graph.outputs[0] is None and graph.depth == 2
    assert tree_depth([0, 0, 0, 0]) == 2 and tree_depth([2, 0, 0]) == 3 and tree_depth([]) == 0


def test_a_pointwise_kernel_is_solved_once_and_placed_at_every_position():
    rng = np.random.default_rng(4)
    kernel = rng.integers(-100, 100, size=(3, 4))  # 3 input channels -> 4 filters
    positions = 5
    weight = np.zeros((3 * positions, 4 * positions), dtype=np.int64)
    for p in range(positions):
        weight[3 * p:3 * p + 3, 4 * p:4 * p + 4] = kernel
    ranges = [(-128, 127)] * weight.shape[0]
    graph = solve_by_columns(weight, ranges, 4, max_depth=0)
    assert graph.adders == positions * solve(kernel, ranges[:3], max_depth=0).adders
    x = inputs_for(ranges, weight.shape[0])
    np.testing.assert_array_equal(graph.evaluate(x), x.astype(object) @ weight.astype(object))


@settings(max_examples=60, deadline=None)
@given(matrices(), RANGES, st.integers(1, 4))
def test_solving_by_columns_equals_the_matrix_product(weight, ranges, group):
    graph = solve_by_columns(weight, ranges[:weight.shape[0]], group, max_depth=0)
    x = inputs_for(ranges, weight.shape[0])
    np.testing.assert_array_equal(graph.evaluate(x), x.astype(object) @ weight.astype(object))


def test_a_matrix_with_too_many_digit_pairs_is_summed_without_sharing_and_exactly(monkeypatch):
    """The sharing search is quadratic in a column's signed digits: past MAX_SHARED_PAIRS each column is its own
    shallowest tree of its digits (a KERAS_conv1d kernel matrix, 1,280 x 32, plans in seconds). Still the matrix
    product, at the plain depth, with adders = digits - columns."""
    from rtl4ml.backends.rtl import cmvm

    rng = np.random.default_rng(5)
    weight = rng.integers(-100, 101, size=(12, 5))
    ranges = [(-60, 70)] * 12
    shared = solve(weight, ranges)
    monkeypatch.setattr(cmvm, "MAX_SHARED_PAIRS", cmvm.digit_pairs(weight) - 1)
    cmvm._solve_rows.cache_clear()
    unshared = solve(weight, ranges, max_depth=0)
    cmvm._solve_rows.cache_clear()
    digits = sum(len(csd_digits(int(w))) for w in weight.ravel() if w)
    assert unshared.adders >= digits - weight.shape[1] > shared.adders
    assert unshared.depth <= plain_depth(weight) + 1
    x = inputs_for(ranges, 12, events=200, seed=5)
    np.testing.assert_array_equal(unshared.evaluate(x), x.astype(object) @ weight.astype(object))
