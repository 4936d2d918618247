"""Plain-text summaries of simulation results for the terminal."""

from __future__ import annotations


def _range(results: dict, key: str) -> str:
    low, high, mean = results.get(f"{key}Min"), results.get(f"{key}Max"), results.get(f"{key}Avg")
    if low is None:
        return "n/a"
    return f"{low}" if low == high else f"{low}..{high} (avg {mean:.2f})"


def summary_lines(results: dict) -> list[str]:
    lines = [
        f"events:       {results['events']} ({results['compared']} compared)",
        f"mismatches:   {results['mismatches']}",
        f"latency:      {_range(results, 'Latency')} cycles (analytic {results.get('analytic_latency')})",
        f"interval:     {_range(results, 'Interval')} cycles",
    ]
    if results.get("resets"):
        lines.append(f"resets:       {results['resets']} ({results['dropped_by_reset']} in-flight events dropped)")
    if "keras_argmax_agreement" in results:
        lines.append(f"keras argmax agreement: {100 * results['keras_argmax_agreement']:.2f} % "
                     f"(max abs error {results['keras_max_abs_error']:.4g})")
    lines.append(f"wall time:    {results.get('total_time_s', 0):.1f} s "
                 f"(build {results.get('build_time_s', 0):.1f} s, simulation {results.get('wall_time_s', 0):.1f} s)")
    for problem in results.get("problems", [])[:10]:
        lines.append(f"  {problem}")
    lines.append("PASS: bit-exact" if results["passed"] else "FAIL")
    return lines
