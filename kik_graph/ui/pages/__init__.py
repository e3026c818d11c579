"""One module per page. Each exposes ``PAGES: list[PageSpec]``; kik_graph.ui.navigation collects them."""
