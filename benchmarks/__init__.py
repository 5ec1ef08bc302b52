"""Benchmarks behind ``make bench-*``: each prints figures as ratios against a baseline measured
in the same run, ending with one ``RESULT key=value ...`` line."""
