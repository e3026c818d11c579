"""The service directory: the service model, the multilingual search, opening hours, feedback and search log.

Modules
- :mod:`~kik_graph.directory.model` – the service model (``kik:Service``), reading and writing RDF
- :mod:`~kik_graph.directory.normalise` – text normalisation for search (all UI languages)
- :mod:`~kik_graph.directory.search` – the in-process search engine (index, ranking, explanation)
- :mod:`~kik_graph.directory.hours` – structured opening hours and "open now"
- :mod:`~kik_graph.directory.feedback` – "Angabe falsch / fehlt melden" records for the office
- :mod:`~kik_graph.directory.searchlog` – anonymous counting of failed searches
"""
