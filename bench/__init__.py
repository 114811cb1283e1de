"""Benchmarks of the timeline service and the tools that build their data."""
