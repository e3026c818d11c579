"""CLI subcommands: every module here exposes ``register(subparsers)``; :mod:`kik_graph.cli` discovers them."""
