"""Judge a recorded run of a streaming core frame by frame: bits, beat order, frame ends, latency, interval.

Pure Python, no simulator (the io_stream twin of stream_check.py): the testbench records every accepted
input beat and every output handshake, and this module groups them into frames of the core's beats per
frame. Frame k's output beats must equal the golden model's outputs of input frame k, bit for bit, with
tlast on its last beat only. Latency: cycles from a frame's first input beat to its last output beat.
Interval: cycles between the first input beats of consecutive frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .stream_check import MAX_REPORTED_MISMATCHES, timing_stats


@dataclass
class FrameRecord:
    inputs: list = field(default_factory=list)  # cycle of each accepted input beat, in order
    outputs: list = field(default_factory=list)  # (cycle, codes of the beat, tlast) per output handshake
    protocol_errors: list = field(default_factory=list)  # rule violations seen cycle by cycle
    cycles: int = 0


def analyze_frames(record: FrameRecord, expected: np.ndarray, in_beats: int, output_scale: list[float]) -> dict:
    """expected: golden output codes [frames, beats per output frame, channels]; in_beats: input beats per frame."""
    frames, out_beats = expected.shape[0], expected.shape[1]
    errors = list(record.protocol_errors[:MAX_REPORTED_MISMATCHES])
    sent = len(record.inputs) // in_beats
    if len(record.inputs) % in_beats:
        errors.append(f"{len(record.inputs)} input beats are not whole frames of {in_beats}")
    if len(record.outputs) > sent * out_beats:
        errors.append(f"{len(record.outputs)} output beats for {sent} frames of {out_beats}: beats were duplicated "
                      "or invented")
    done = min(sent, len(record.outputs) // out_beats, frames)
    mismatches, details, latencies, max_error = 0, [], [], 0.0
    scale = np.asarray(output_scale)
    for frame in range(done):
        beats = record.outputs[frame * out_beats:(frame + 1) * out_beats]
        got = np.array([codes for _, codes, _ in beats], dtype=np.int64)
        lasts = [last for _, _, last in beats]
        if lasts != [0] * (out_beats - 1) + [1]:
            errors.append(f"frame {frame}: tlast on beats {[i for i, last in enumerate(lasts) if last]}, expected on "
                          f"beat {out_beats - 1} only")
        wrong = np.argwhere(got != expected[frame])
        if len(wrong):
            mismatches += 1
            max_error = max(max_error, float(np.max(np.abs(got - expected[frame]) * scale)))
            if len(details) < MAX_REPORTED_MISMATCHES:
                beat, channel = (int(i) for i in wrong[0])
                details.append({"frame": frame, "beat": beat, "channel": channel, "wrong_codes": int(len(wrong)),
                                "got": int(got[beat, channel]), "expected": int(expected[frame][beat, channel])})
        latencies.append(beats[-1][0] - record.inputs[frame * in_beats])
    if done < min(sent, frames):
        errors.append(f"only {done} of {min(sent, frames)} frames came out")
    starts = record.inputs[::in_beats][:sent]
    results = {
        "io_type": "io_stream", "events": done, "compared": done, "frames_sent": sent, "mismatches": mismatches,
        "mismatch_details": details, "max_abs_error": max_error, "protocol_errors": errors,
        "cycles": record.cycles, **timing_stats(latencies, "Latency"),
        **timing_stats([b - a for a, b in zip(starts, starts[1:])], "Interval"),
    }
    results["passed"] = done == frames and mismatches == 0 and not errors
    return results


def describe_frames(results: dict) -> list[str]:
    """One line per problem found (empty when the run passed)."""
    lines = list(results["protocol_errors"])
    for item in results["mismatch_details"]:
        lines.append(f"frame {item['frame']}: beat {item['beat']} channel {item['channel']} is {item['got']}, the "
                     f"golden model says {item['expected']} ({item['wrong_codes']} wrong codes in the frame)")
    return lines
