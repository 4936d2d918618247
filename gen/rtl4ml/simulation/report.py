"""Plain-text summaries of simulation results for the terminal."""

from __future__ import annotations


def _range(results: dict, key: str) -> str:
    low, high, mean = results.get(f"{key}Min"), results.get(f"{key}Max"), results.get(f"{key}Avg")
    if low is None:
        return f"{key}Min n/a, {key}Max n/a"
    return f"{key}Min {low}, {key}Max {high}, {key}Avg {mean:.2f}"


def _head_line(name: str, figures: dict) -> str:
    """One output's agreement with Keras (and with the truth, when the job has labels or targets)."""
    prefix = f"{name}: " if name else ""
    if "keras_argmax_agreement" in figures:
        line = (f"{prefix}keras argmax agreement: {100 * figures['keras_argmax_agreement']:.2f} % (max abs error "
                f"{figures['keras_max_abs_error']:.4g}; output sums {figures['output_sum_min']:.4f}.."
                f"{figures['output_sum_max']:.4f})")
        if "accuracy" in figures:
            line += f"; accuracy {100 * figures['accuracy']:.2f} % (Keras {100 * figures['keras_accuracy']:.2f} %)"
        return line
    line = f"{prefix}keras max abs error: {figures['keras_max_abs_error']:.4g}"
    if "rms_error" in figures:
        line += f"; RMS error against the truth {figures['rms_error']:.4g} (Keras {figures['keras_rms_error']:.4g})"
    return line


def summary_lines(results: dict) -> list[str]:
    if results.get("io_type") == "io_stream":
        lines = [
            f"frames:       {results['events']} ({results['compared']} compared)",
            f"mismatches:   {results['mismatches']}",
            f"latency:      {_range(results, 'Latency')} cycles, first input beat to last output beat "
            f"(planned {results.get('analytic_latency')})",
            f"interval:     {_range(results, 'Interval')} cycles between frames (planned "
            f"{results.get('analytic_interval')})",
        ]
    else:
        lines = [
            f"events:       {results['events']} ({results['compared']} compared)",
            f"mismatches:   {results['mismatches']}",
            f"latency:      {_range(results, 'Latency')} cycles (analytic {results.get('analytic_latency')})",
            f"interval:     {_range(results, 'Interval')} cycles (between accepted inputs)",
        ]
    if results.get("resets"):
        lines.append(f"resets:       {results['resets']} ({results['dropped_by_reset']} in-flight events dropped)")
    heads = results.get("heads", {})
    for name, figures in heads.items():
        lines.append(_head_line(name if len(heads) > 1 else "", figures))
    wall = f"wall time:    {results.get('total_time_s', 0):.1f} s"
    if "build_time_s" in results:
        wall += f" (build {results['build_time_s']:.1f} s, simulation {results.get('wall_time_s', 0):.1f} s)"
    lines.append(wall + (f" ({results['simulator']})" if "simulator" in results else ""))
    for problem in results.get("problems", [])[:10]:
        lines.append(f"  {problem}")
    lines.append("PASS: bit-exact" if results["passed"] else "FAIL")
    return lines
