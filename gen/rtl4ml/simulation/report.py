"""Plain-text summaries of simulation results for the terminal."""

from __future__ import annotations


def _range(results: dict, key: str) -> str:
    low, high, mean = results.get(f"{key}Min"), results.get(f"{key}Max"), results.get(f"{key}Avg")
    if low is None:
        return f"{key}Min n/a, {key}Max n/a"
    return f"{key}Min {low}, {key}Max {high}, {key}Avg {mean:.2f}"


def summary_lines(results: dict) -> list[str]:
    lines = [
        f"events:       {results['events']} ({results['compared']} compared)",
        f"mismatches:   {results['mismatches']}",
        f"latency:      {_range(results, 'Latency')} cycles (analytic {results.get('analytic_latency')})",
        f"interval:     {_range(results, 'Interval')} cycles (between accepted inputs)",
    ]
    if results.get("resets"):
        lines.append(f"resets:       {results['resets']} ({results['dropped_by_reset']} in-flight events dropped)")
    if "keras_argmax_agreement" in results:
        lines.append(f"keras argmax agreement: {100 * results['keras_argmax_agreement']:.2f} % "
                     f"(max abs error {results['keras_max_abs_error']:.4g}; output sums {results['output_sum_min']:.4f}..{results['output_sum_max']:.4f})")
    lines.append(f"wall time:    {results.get('total_time_s', 0):.1f} s "
                 f"(build {results.get('build_time_s', 0):.1f} s, simulation {results.get('wall_time_s', 0):.1f} s)")
    for problem in results.get("problems", [])[:10]:
        lines.append(f"  {problem}")
    lines.append("PASS: bit-exact" if results["passed"] else "FAIL")
    return lines
