"""Constant matrix times vector (CMVM) as one adder graph: two-term subexpressions shared across the whole matrix.

y_j = sum_i W[i, j] * x_i with W constant. Every weight is written in canonical signed digits, so each output
is a sum of signed, shifted inputs. Then, repeatedly, the two-term pattern a +- (b << s) found most often over
all outputs (inputs *and* outputs: a and b may be different inputs, or earlier patterns) becomes one adder, a
new node that every output containing the pattern uses in place of its two terms. What each output has left is
summed by its shallowest tree, also made of nodes. This is the greedy common-subexpression elimination of da4ml
and of the classic CSE literature, on signed digits.

A bound on adder depth (an input has the depth it is given, 0 by default; a node is one deeper than its deeper
operand; an output is the depth of the best tree over its terms) makes the solver skip any substitution that would
take an output past it. Each output is one node (or input) taken positively, so it needs no negation after it.

Everything is integers: each node's value range is exact (from its coefficients on the inputs and the input
ranges), so each adder can be sized to the values it can hold. This module never writes HDL; `evaluate` is the
graph's own arithmetic, which the tests hold equal to the matrix product.
"""

from __future__ import annotations

import functools
import heapq
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .shift_add import csd_digits


@dataclass(frozen=True)
class AdderNode:
    """value = left_sign * node[left] + sign * (node[right] << shift); nodes 0..n_inputs-1 are the inputs.

    left_sign is +1, or -1 with sign +1 ((b << k) - a), or 0 with sign -1 (a negation: 0 - (b << k)).
    """

    left: int
    right: int
    shift: int
    sign: int  # +1 or -1
    low: int  # the exact range of the value
    high: int
    depth: int
    left_sign: int = 1


@dataclass(frozen=True)
class Term:
    """sign * (node << shift): one input of an output's adder tree."""

    node: int
    shift: int
    sign: int


@dataclass(frozen=True)
class AdderGraph:
    """The whole product x @ W as adders: output j is outputs[j] (None: the column is zero)."""

    n_inputs: int
    input_ranges: tuple[tuple[int, int], ...]
    input_depths: tuple[int, ...]
    nodes: tuple[AdderNode, ...]  # every adder, each after its operands
    outputs: tuple[Term | None, ...]  # positive terms

    def node_depth(self, index: int) -> int:
        return self.input_depths[index] if index < self.n_inputs else self.nodes[index - self.n_inputs].depth

    @property
    def depth(self) -> int:
        """Adder depth of the deepest output."""
        return max([self.node_depth(t.node) for t in self.outputs if t is not None] + [0])

    @property
    def adders(self) -> int:
        return len(self.nodes)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """x [events, n_inputs] integer codes -> [events, n_outputs] exact integers (object: no overflow)."""
        values = [x[:, i].astype(object) for i in range(self.n_inputs)]
        for node in self.nodes:
            values.append(node.left_sign * values[node.left] + node.sign * (values[node.right] * (1 << node.shift)))
        zero = np.zeros(len(x), dtype=object)
        columns = [zero if t is None else t.sign * (values[t.node] * (1 << t.shift)) for t in self.outputs]
        return np.stack(columns, axis=1) if columns else np.zeros((len(x), 0), dtype=object)


def tree_depth(depths: list[int]) -> int:
    """Depth of the shallowest two-input adder tree over operands ready at `depths` (merge the two earliest)."""
    if not depths:
        return 0
    heap = list(depths)
    heapq.heapify(heap)
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        heapq.heappush(heap, max(a, b) + 1)
    return heap[0]


def plain_depth(weight: np.ndarray, input_depths=None) -> int:
    """Adder depth with no sharing: each output's signed digits summed by its shallowest tree."""
    depths = [0] * weight.shape[0] if input_depths is None else list(input_depths)
    return max([tree_depth([depths[i] for i in np.flatnonzero(weight[:, j])
                            for _ in csd_digits(int(weight[i, j]))]) for j in range(weight.shape[1])] + [0])


# The sharing search counts and updates every pair of signed digits within a column, in Python: a matrix with more
# pairs than this is summed without sharing (each column by its shallowest tree), so that planning a large kernel
# matrix takes seconds, not hours.
MAX_SHARED_PAIRS = 2_000_000

# A pattern: node a + sign * (node b << shift), with the a-digit at the lower (shift, node).
Pattern = tuple[int, int, int, int]


class _Graph:
    """Nodes as they are made: inputs first, then adders, with their exact ranges and depths."""

    def __init__(self, input_ranges, input_depths):
        self.n_inputs = len(input_ranges)
        self.ranges = [(int(low), int(high)) for low, high in input_ranges]
        self.input_depths = [int(d) for d in input_depths]
        self.depths = list(self.input_depths)
        self.nodes: list[AdderNode] = []
        # each node as its integer coefficients on the inputs (sparse: input -> coefficient). A linear form over
        # a box of inputs takes its extremes at the box's corners, so its range is exact (interval arithmetic
        # is not, when operands share inputs: x - 4x)
        self.forms: list[dict[int, int]] = [{i: 1} for i in range(self.n_inputs)]
        self.pattern_ranges: dict[tuple, tuple[int, int]] = {}

    def _form(self, pattern: Pattern, left_sign: int = 1) -> dict[int, int]:
        a, b, shift, sign = pattern
        form = {i: left_sign * c for i, c in self.forms[a].items()}
        for i, c in self.forms[b].items():
            form[i] = form.get(i, 0) + sign * (c << shift)
        return form

    def pattern_range(self, pattern: Pattern, left_sign: int = 1) -> tuple[int, int]:
        key = (pattern, left_sign)
        if key not in self.pattern_ranges:
            low = high = 0
            for i, c in self._form(pattern, left_sign).items():
                ends = (c * self.ranges[i][0], c * self.ranges[i][1])
                low, high = low + min(ends), high + max(ends)
            self.pattern_ranges[key] = (low, high)
        return self.pattern_ranges[key]

    def add(self, pattern: Pattern, left_sign: int = 1) -> int:
        a, b, shift, sign = pattern
        low, high = self.pattern_range(pattern, left_sign)
        self.forms.append(self._form(pattern, left_sign))
        depth = max(self.depths[a], self.depths[b]) + 1
        self.nodes.append(AdderNode(a, b, shift, sign, low, high, depth, left_sign))
        self.ranges.append((low, high))
        self.depths.append(depth)
        return len(self.ranges) - 1

    def add_terms(self, u: Term, v: Term) -> Term:
        """u + v as one adder, taken positively whenever one of them is positive (so outputs need no negation)."""
        if (u.shift, u.node) > (v.shift, v.node):
            u, v = v, u
        if u.sign < 0 < v.sign:  # (v << k) - u
            return Term(self.add((u.node, v.node, v.shift - u.shift, 1), left_sign=-1), u.shift, 1)
        return Term(self.add((u.node, v.node, v.shift - u.shift, u.sign * v.sign)), u.shift, u.sign)

    def negate(self, t: Term) -> Term:
        return Term(self.add((t.node, t.node, 0, -1), left_sign=0), t.shift, 1)

    def _tree_key(self, t: Term) -> tuple:
        """Earliest-ready first (the shallowest tree); among equally ready terms the smallest magnitude, so that
        narrow terms meet narrow ones (0.5-0.7 % fewer adder bits on the bundled models than by position)."""
        low, high = self.ranges[t.node]
        return self.depths[t.node], max(-low, high) << t.shift, t.shift, t.node, t

    def sum_terms(self, terms: list[Term]) -> Term | None:
        """The shallowest tree over the terms (the two earliest-ready first), as a positive term."""
        heap = [self._tree_key(t) for t in terms]
        heapq.heapify(heap)
        while len(heap) > 1:
            u, v = heapq.heappop(heap)[-1], heapq.heappop(heap)[-1]
            heapq.heappush(heap, self._tree_key(self.add_terms(u, v)))
        if not heap:
            return None
        return heap[0][-1] if heap[0][-1].sign > 0 else self.negate(heap[0][-1])

    def freeze(self, outputs) -> AdderGraph:
        return AdderGraph(self.n_inputs, tuple(self.ranges[:self.n_inputs]), tuple(self.input_depths),
                          tuple(self.nodes), tuple(outputs))


class _Extraction:
    """The greedy extraction over a matrix's digits, pair counts kept up to date digit by digit."""

    def __init__(self, graph: _Graph, weight: np.ndarray, max_depth: int | None):
        self.graph = graph
        self.max_depth = max_depth
        # per output column: (node, shift) -> sign; a (node, shift) appears at most once per column
        self.columns: list[dict[tuple[int, int], int]] = []
        for j in range(weight.shape[1]):
            column = {}
            for i in np.flatnonzero(weight[:, j]):
                for sign, shift in csd_digits(int(weight[i, j])):
                    column[(int(i), shift)] = sign
            self.columns.append(column)
        self.counts: dict[Pattern, int] = {}
        # columns where a pattern may occur (a superset: entries are not removed when a count drops)
        self.where: dict[Pattern, set[int]] = defaultdict(set)
        self.banned: set[Pattern] = set()
        for j, column in enumerate(self.columns):
            digits = [(n, s, g) for (n, s), g in column.items()]
            for index, digit in enumerate(digits):
                self._pairs(j, digit, digits[index + 1:], +1)
        self.heap = [self._entry(pattern, count) for pattern, count in self.counts.items() if count > 1]
        heapq.heapify(self.heap)

    @staticmethod
    def _entry(pattern: Pattern, count: int):
        # most occurrences first; among equals, the pattern of the newest operands (shared nodes grow into longer
        # shared chains: 1.4 % fewer adders on random 16 x 16 matrices than the plain order), then a fixed order
        # (the result is reproducible). Preferring the narrower adder among equals made no difference.
        return (-count, -(pattern[0] + pattern[1]), pattern)

    def _pairs(self, column: int, digit: tuple[int, int, int], others, delta: int) -> list[Pattern]:
        """Count (+1) or uncount (-1) the patterns of `digit` with each of `others` in `column` (the hot loop);
        the patterns counted up. A pair's pattern starts at its digit of lower (shift, node)."""
        counts, where = self.counts, self.where
        n0, s0, g0 = digit
        touched = []
        for n, s, g in others:
            pattern = (n0, n, s - s0, g0 * g) if (s0, n0) <= (s, n) else (n, n0, s0 - s, g * g0)
            count = counts.get(pattern, 0) + delta
            if count:
                counts[pattern] = count
            else:
                del counts[pattern]
            if delta > 0:
                where[pattern].add(column)
                touched.append(pattern)
        return touched

    def _move(self, column: int, digit: tuple[int, int, int], delta: int) -> list[Pattern]:
        """Add (+1) or remove (-1) one digit's pairs with every other digit of the column."""
        others = [(n, s, g) for (n, s), g in self.columns[column].items() if (n, s) != digit[:2]]
        return self._pairs(column, digit, others, delta)

    def _matches(self, column: int, pattern: Pattern) -> list[tuple[int, int]]:
        """Disjoint occurrences (a-digit shift, sign) of the pattern in a column, lowest shift first."""
        a, b, shift, sign = pattern
        digits = self.columns[column]
        used, found = set(), []
        for (n, s), g in sorted(digits.items(), key=lambda item: item[0][1]):
            partner = (b, s + shift)
            if n != a or (n, s) in used or partner in used or digits.get(partner) != g * sign:
                continue
            used.update({(n, s), partner})
            found.append((s, g))
        return found

    def _within_depth(self, column: int, pattern: Pattern, found: list, depth: int) -> list:
        """The longest prefix of the occurrences whose substitution keeps the column within max_depth."""
        a, b, shift, _ = pattern
        remaining = dict(self.columns[column])
        kept = []
        for s, g in found:
            trial = dict(remaining)
            del trial[(a, s)], trial[(b, s + shift)]
            depths = [self.graph.depths[n] for n, _ in trial] + [depth] * (len(kept) + 1)
            if tree_depth(depths) > self.max_depth:
                break
            remaining = trial
            kept.append((s, g))
        return kept

    def step(self) -> bool:
        """Extract the best pattern that occurs at least twice within the depth bound; False when none is left."""
        while self.heap:
            negative_count, _, pattern = heapq.heappop(self.heap)
            count = self.counts.get(pattern, 0)
            if pattern in self.banned or count < 2:
                continue
            if count != -negative_count:  # a stale entry: its count changed since it was pushed
                heapq.heappush(self.heap, self._entry(pattern, count))
                continue
            a, b, _, _ = pattern
            depth = max(self.graph.depths[a], self.graph.depths[b]) + 1
            plan = {}
            for column in sorted(self.where[pattern]):
                found = self._matches(column, pattern)
                if self.max_depth is not None and found:
                    found = self._within_depth(column, pattern, found, depth)
                if found:
                    plan[column] = found
            if sum(len(found) for found in plan.values()) < 2:
                self.banned.add(pattern)  # sharing needs two uses; a single use saves nothing
                continue
            self._substitute(pattern, plan)
            return True
        return False

    def _substitute(self, pattern: Pattern, plan: dict[int, list[tuple[int, int]]]) -> None:
        a, b, shift, sign = pattern
        node = self.graph.add(pattern)
        touched = set()
        for column, found in plan.items():
            for s, g in found:
                for digit in ((a, s, g), (b, s + shift, g * sign)):
                    del self.columns[column][digit[:2]]
                    self._move(column, digit, -1)
                touched.update(self._move(column, (node, s, g), +1))
                self.columns[column][(node, s)] = g
        # the new node's patterns enter the queue once, at their counts after the whole substitution
        # (counts of older patterns only fall; their entries are refreshed when popped)
        for new_pattern in sorted(touched):
            if self.counts.get(new_pattern, 0) > 1 and new_pattern not in self.banned:
                heapq.heappush(self.heap, self._entry(new_pattern, self.counts[new_pattern]))

    def outputs(self) -> list[Term | None]:
        """Each column's remaining terms summed by its shallowest tree."""
        return [self.graph.sum_terms([Term(n, s, g) for (n, s), g in sorted(column.items())])
                for column in self.columns]


def _extract(graph: _Graph, weight: np.ndarray, max_depth: int | None) -> list[Term | None]:
    """Share the patterns of `weight`'s columns in `graph`; each column's sum as a term."""
    extraction = _Extraction(graph, weight, max_depth)
    while extraction.step():
        pass
    return extraction.outputs()


def _shared_subexpressions(weight: np.ndarray, input_ranges, input_depths, max_depth: int | None) -> AdderGraph:
    graph = _Graph(input_ranges, input_depths)
    return graph.freeze(_extract(graph, weight, max_depth))


def _column_distance(a: np.ndarray, b: np.ndarray) -> int:
    return sum(len(csd_digits(int(v))) for v in a - b)


def _column_chain(weight: np.ndarray) -> list[tuple[int, int, int]]:
    """A spanning tree over the columns and a zero column (index -1), cheapest digit differences first (Prim).

    (column, parent, sign): column = sign * parent + difference, where the difference has few digits.
    """
    n = weight.shape[1]
    columns = [np.zeros(weight.shape[0], dtype=np.int64)] + [weight[:, j] for j in range(n)]
    best = {j: (_column_distance(columns[j], columns[0]), 0, 1) for j in range(1, n + 1)}
    chain = []
    while best:
        j = min(best, key=lambda k: (best[k][0], k))
        _, parent, sign = best.pop(j)
        chain.append((j - 1, parent - 1, sign))
        for k in best:
            for candidate_sign in (1, -1):
                cost = _column_distance(columns[k], candidate_sign * columns[j])
                if cost < best[k][0]:
                    best[k] = (cost, j, candidate_sign)
    return chain


def _column_differences(weight: np.ndarray, input_ranges, input_depths) -> AdderGraph:
    """Each column as a near column plus a cheap difference: the differences share one extraction, then one
    adder per column joins its difference to its parent's result (da4ml's spanning-tree decomposition)."""
    chain = _column_chain(weight)
    differences = np.zeros_like(weight)
    for j, parent, sign in chain:
        differences[:, j] = weight[:, j] - (sign * weight[:, parent] if parent >= 0 else 0)
    graph = _Graph(input_ranges, input_depths)
    parts = _extract(graph, differences, None)
    outputs: list[Term | None] = [None] * weight.shape[1]
    for j, parent, sign in chain:
        inherited = None if parent < 0 or outputs[parent] is None else \
            Term(outputs[parent].node, outputs[parent].shift, sign)
        terms = [t for t in (inherited, parts[j]) if t is not None]
        outputs[j] = graph.sum_terms(terms)
    return graph.freeze(outputs)


def solve(weight: np.ndarray, input_ranges, max_depth: int | None = None, input_depths=None) -> AdderGraph:
    """The adder graph of x @ weight for integer x_i in input_ranges[i] = (low, high), ready at input_depths[i].

    weight: integer matrix [n_inputs, n_outputs]. max_depth: the adder depth no output may exceed (None: no
    bound; raised to plain_depth, the depth with no sharing, when below it). Unbounded, the cheaper of plain
    extraction and column differences is kept. Solved on the rows that hold a weight (a zero row adds nothing; the
    rows keep their order), and remembered: the same rows, ranges and depths again (a recurrent layer's every
    step, a kernel at every position) are solved once per process.
    """
    weight = np.asarray(weight, dtype=np.int64)
    n_inputs = weight.shape[0]
    depths = [0] * n_inputs if input_depths is None else list(input_depths)
    rows = np.flatnonzero(weight.any(axis=1))
    block = np.ascontiguousarray(weight[rows])
    local = _solve_rows(block.shape, block.tobytes(), tuple(tuple(int(v) for v in input_ranges[r]) for r in rows),
                        tuple(depths[r] for r in rows), max_depth)
    nodes, outputs = _placed(local, rows, n_inputs, 0)
    return AdderGraph(n_inputs, tuple(tuple(r) for r in input_ranges), tuple(depths), tuple(nodes), tuple(outputs))


def digit_pairs(weight: np.ndarray) -> int:
    """The pairs of signed digits within each column: what the sharing search counts and updates."""
    digits = [sum(len(csd_digits(int(w))) for w in weight[:, j] if w) for j in range(weight.shape[1])]
    return sum(d * (d - 1) // 2 for d in digits)


def _unshared(weight: np.ndarray, input_ranges, input_depths) -> AdderGraph:
    """Each column's signed digits summed by its shallowest tree: no adder shared between columns."""
    graph = _Graph(input_ranges, input_depths)
    outputs = [graph.sum_terms([Term(int(i), shift, sign) for i in np.flatnonzero(weight[:, j])
                                for sign, shift in csd_digits(int(weight[i, j]))]) for j in range(weight.shape[1])]
    return graph.freeze(outputs)


@functools.lru_cache(maxsize=512)
def _solve_rows(shape: tuple[int, int], data: bytes, input_ranges: tuple, input_depths: tuple,
                max_depth: int | None) -> AdderGraph:
    weight = np.frombuffer(data, dtype=np.int64).reshape(shape)
    depths = list(input_depths)
    if digit_pairs(weight) > MAX_SHARED_PAIRS:
        return _unshared(weight, input_ranges, depths)
    if max_depth is not None:
        bound = max(max_depth, plain_depth(weight, depths))
        return _shared_subexpressions(weight, input_ranges, depths, bound)
    candidates = [_shared_subexpressions(weight, input_ranges, depths, None),
                  _column_differences(weight, input_ranges, depths)]
    return min(candidates, key=lambda graph: graph.adders)


def _placed(local: AdderGraph, rows, n_inputs: int, first_node: int) -> tuple[list[AdderNode], list[Term | None]]:
    """A graph solved over some rows of a matrix, renumbered into a graph over all n_inputs inputs whose own
    nodes start at n_inputs + first_node."""
    where = [int(r) for r in rows] + [n_inputs + first_node + k for k in range(local.adders)]
    nodes = [AdderNode(where[n.left], where[n.right], n.shift, n.sign, n.low, n.high, n.depth, n.left_sign)
             for n in local.nodes]
    return nodes, [None if term is None else Term(where[term.node], term.shift, term.sign) for term in local.outputs]


def solve_by_columns(weight: np.ndarray, input_ranges, group: int, max_depth: int | None = None,
                     input_depths=None) -> AdderGraph:
    """solve() over each run of `group` output columns (a convolution's output position: its channels) on the
    rows it reads, each distinct block solved once (a kernel is one block at every position it fully covers),
    the solutions side by side in one graph over all inputs.

    Only where no input is read by two runs (pointwise convolutions, strides >= the kernel): overlapping windows
    share subexpressions across positions, which one solve of the whole matrix finds (the bundled jet-image core:
    12,051 graph adders with its Conv2D 3x3 solved whole, 13,311 by position).
    """
    weight = np.asarray(weight, dtype=np.int64)
    n_inputs, n_outputs = weight.shape
    depths = [0] * n_inputs if input_depths is None else list(input_depths)
    readers = sum((weight[:, start:start + group] != 0).any(axis=1).astype(int) for start in range(0, n_outputs, group))
    if np.any(readers > 1):
        return solve(weight, input_ranges, max_depth, depths)
    nodes: list[AdderNode] = []
    outputs: list[Term | None] = [None] * n_outputs
    for start in range(0, n_outputs, group):
        columns = slice(start, min(start + group, n_outputs))
        rows = np.flatnonzero(weight[:, columns].any(axis=1))
        local = solve(weight[rows, columns], [input_ranges[r] for r in rows], max_depth, [depths[r] for r in rows])
        # local inputs are the block's rows; local nodes follow this graph's nodes so far
        placed, outputs[columns] = _placed(local, rows, n_inputs, len(nodes))
        nodes += placed
    return AdderGraph(n_inputs, tuple(tuple(r) for r in input_ranges), tuple(depths), tuple(nodes), tuple(outputs))
