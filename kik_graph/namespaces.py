"""RDF namespaces used across kik-graph."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

KIK = Namespace("https://w3id.org/kik-graph/vocab#")
KIKD = Namespace("https://w3id.org/kik-graph/id/")
KIKG = Namespace("https://w3id.org/kik-graph/graph/")
SCHEMA = Namespace("https://schema.org/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
M8G = Namespace("http://data.europa.eu/m8g/")  # Core Vocabularies (CPSV-AP)

#: Named graphs of the dataset. Queries run over their union.
GRAPH_KIK = KIKG["kik"]  # the public KIK data built from graph_data/
GRAPH_ONTOLOGY = KIKG["ontology"]  # the vocabulary
GRAPH_HISTORY = KIKG["history"]  # change history (internal)
GRAPH_OFFICE = KIKG["office"]  # feedback, search statistics and other internal records

PREFIXES: dict[str, str] = {
    "kik": str(KIK),
    "kikd": str(KIKD),
    "kikg": str(KIKG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "cpsv": str(CPSV),
    "dcat": str(DCAT),
}

__all__ = ["KIK", "KIKD", "KIKG", "SCHEMA", "CPSV", "DCAT", "PREFIXES", "GRAPH_KIK", "GRAPH_ONTOLOGY", "GRAPH_HISTORY",
           "GRAPH_OFFICE", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD"]
