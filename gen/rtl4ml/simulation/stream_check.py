"""Check a recorded AXI-stream run against the golden model: bits, order, latency, interval.

Pure Python, no simulator: the cocotb testbench records every handshake (cycle, reset
segment, data) and this module judges it. A reset splits the run into segments; in each
segment the k-th output must be the k-th input accepted in that segment, bit for bit.
Events in flight at a reset may be dropped (only those); nothing may be duplicated,
reordered or lost otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_REPORTED_MISMATCHES = 20


@dataclass
class StreamRecord:
    inputs: list = field(default_factory=list)  # (cycle, segment) per accepted input, in order
    outputs: list = field(default_factory=list)  # (cycle, segment, codes) per output handshake
    traces: dict = field(default_factory=dict)  # layer identifier -> [(segment, codes)]
    protocol_errors: list = field(default_factory=list)  # rule violations seen cycle by cycle
    cycles: int = 0


def timing_stats(values: list[int], prefix: str) -> dict:
    if not values:
        return {f"{prefix}Min": None, f"{prefix}Max": None, f"{prefix}Avg": None}
    return {f"{prefix}Min": int(min(values)), f"{prefix}Max": int(max(values)),
            f"{prefix}Avg": float(np.mean(values))}


def _by_segment(items: list, segment_of) -> dict[int, list]:
    groups: dict[int, list] = {}
    for item in items:
        groups.setdefault(segment_of(item), []).append(item)
    return groups


def analyze(record: StreamRecord, expected: np.ndarray, golden_traces: dict[str, np.ndarray],
            layers: list[dict], output_scale: list[float]) -> dict:
    """Compare a run with the golden outputs; return the results dictionary (stable keys)."""
    errors: list[str] = list(record.protocol_errors[:MAX_REPORTED_MISMATCHES])
    mismatches: list[dict] = []
    mismatch_count = 0
    latencies: list[int] = []
    intervals: list[int] = []
    dropped = 0
    event_of_input = list(range(len(record.inputs)))  # inputs are accepted in array order
    inputs_by_segment = _by_segment(list(zip(event_of_input, record.inputs)), lambda item: item[1][1])
    outputs_by_segment = _by_segment(record.outputs, lambda item: item[1])
    traces_by_segment = {name: _by_segment(values, lambda item: item[0]) for name, values in record.traces.items()}
    last_segment = max([0] + list(inputs_by_segment) + list(outputs_by_segment))
    for segment in sorted(set(inputs_by_segment) | set(outputs_by_segment)):
        accepted = inputs_by_segment.get(segment, [])
        produced = outputs_by_segment.get(segment, [])
        if len(produced) > len(accepted):
            errors.append(f"segment {segment}: {len(produced)} outputs for {len(accepted)} inputs "
                          "(duplicated or spurious output)")
        elif len(produced) < len(accepted):
            if segment == last_segment:
                errors.append(f"{len(accepted) - len(produced)} events lost: {len(accepted)} inputs accepted, "
                              f"{len(produced)} outputs")
            else:
                dropped += len(accepted) - len(produced)
        for position, ((event, (in_cycle, _)), (out_cycle, _, codes)) in enumerate(zip(accepted, produced)):
            latencies.append(out_cycle - in_cycle)
            want = [int(c) for c in expected[event]]
            if codes != want:
                mismatch_count += 1
                if len(mismatches) < MAX_REPORTED_MISMATCHES:
                    mismatches.append(_describe_mismatch(event, position, segment, codes, want, output_scale,
                                                         traces_by_segment, golden_traces, layers))
        in_cycles = [cycle for _, (cycle, _) in accepted]
        intervals.extend(b - a for a, b in zip(in_cycles, in_cycles[1:]))
    compared = sum(min(len(inputs_by_segment.get(s, [])), len(outputs_by_segment.get(s, [])))
                   for s in set(inputs_by_segment) | set(outputs_by_segment))
    results = {
        "events": len(record.inputs),
        "compared": compared,
        "mismatches": mismatch_count,
        "protocol_errors": errors,
        "dropped_by_reset": dropped,
        "resets": last_segment,
        "cycles": record.cycles,
        **timing_stats(latencies, "Latency"),
        **timing_stats(intervals, "Interval"),
        "mismatch_details": mismatches,
    }
    results["passed"] = mismatch_count == 0 and not errors and compared > 0
    return results


def _describe_mismatch(event, position, segment, actual, expected, output_scale, traces_by_segment,
                       golden_traces, layers) -> dict:
    outputs = [{"output": j, "expected": e, "actual": a, "expected_value": e * output_scale[j],
                "actual_value": a * output_scale[j]}
               for j, (a, e) in enumerate(zip(actual, expected)) if a != e]
    first_layer = None
    for layer in layers:
        recorded = traces_by_segment.get(layer["identifier"], {}).get(segment, [])
        golden = golden_traces.get(layer["identifier"])
        if golden is None or position >= len(recorded):
            continue
        if recorded[position][1] != [int(c) for c in golden[event]]:
            first_layer = layer["name"]
            break
    return {"event": int(event), "first_differing_layer": first_layer, "outputs": outputs}


def mismatch_line(event: int, output: dict) -> str:
    """One output that differs, as raw codes and real values."""
    return (f"event {event} output {output['output']}: expected {output['expected']} "
            f"({output['expected_value']:.6g}), got {output['actual']} ({output['actual_value']:.6g})")


def describe(results: dict) -> list[str]:
    """Human-readable lines for mismatches and protocol errors."""
    lines = list(results.get("protocol_errors", []))
    for item in results.get("mismatch_details", []):
        for out in item["outputs"]:
            lines.append(f"{mismatch_line(item['event'], out)}; "
                         f"first differing layer: {item['first_differing_layer'] or 'none found (output stage)'}")
    return lines
