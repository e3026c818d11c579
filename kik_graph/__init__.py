"""kik-graph: knowledge graph and service directory of the Kommunales Integrationskonzept Kempten (KIK)."""

__version__ = "0.1.0"
