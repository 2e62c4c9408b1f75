"""Plot functions for the book: each takes data (and optionally a matplotlib Axes) and
returns the Axes or Figure it drew on, so chapters stay short and plots are testable."""
