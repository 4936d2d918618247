"""The one exception type rtl4ml raises for bad user input.

Every message is one line that names the culprit (layer, field, value), so the
CLI can print it as it is and exit non-zero. Never raise it for internal bugs.
"""


class Rtl4mlError(ValueError):
    """A user-facing error: bad model, config, precision or input data."""


def fail(message: str) -> "Rtl4mlError":
    """Build an error whose text is a single line (newlines would break the CLI contract)."""
    return Rtl4mlError(" ".join(str(message).split()))
