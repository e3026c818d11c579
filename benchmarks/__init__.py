"""Benchmarks (`make bench`). Each module bench_*.py exposes ``run(ctx: BenchContext) -> None``."""
