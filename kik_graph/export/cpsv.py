"""The CPSV-AP 3.2.0 profile of the export: which directory services are public services, and how they are described.

The directory models every offer as ``kik:Service``. Many offers come from welfare organisations, associations or
educational providers; the KIK names no public authority that is competent for them. CPSV-AP requires a
``cpsv:PublicService`` to have a competent authority (``m8g:hasCompetentAuthority``, an ``m8g:PublicOrganisation``
with a name and a spatial coverage). kik-graph invents none, so the export claims ``cpsv:PublicService`` only where
the data says so:

- A service is exported as ``cpsv:PublicService`` when the graph states a competent authority for it
  (``m8g:hasCompetentAuthority``, the field "zuständige Stelle" of the directory) and that organisation is a public
  body: the city (``organisationstyp/kommune``), one of its offices (``organisationstyp/staedtische-dienststelle``)
  or an authority (``organisationstyp/behoerde``) – the organisation types the graph records for every actor.
- That organisation is typed ``m8g:PublicOrganisation`` and gets ``dcterms:spatial`` = the municipality Kempten
  (Allgäu), in the DCAT-AP.de political-geocoding IRI the catalogue also uses (``municipalityKey/09763000``), typed
  ``dcterms:Location``: the KIK names these bodies as competent in Kempten; an own ``dcterms:spatial`` of the
  organisation is kept instead.
- Every other service stays ``kik:Service`` and ``schema:Service`` only; a competent authority that is not a public
  body is not exported as such (counted in :class:`CpsvReport`). The office sees the missing competent authority
  in the directory's data-completeness list (field ``competent_authorities``).
- Agents (``foaf:Agent``: organisations, actor categories) get the ``dcterms:title`` and ``dcterms:identifier`` the
  CPSV-AP agent shape requires: the title is the ``skos:prefLabel``, the identifier the path of the IRI below the
  base (``organisation/stadt-kempten``). Nothing else is added.

The vocabulary does not make ``kik:Service`` a subclass of ``cpsv:PublicService`` (that would let a reasoner claim
every directory offer as a public service). ``kik-graph publish`` sends the public graph without this profile (the
app runs on it and must give the same answers as on the embedded store); it claims no ``cpsv:PublicService``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from kik_graph.export.dcat import SPATIAL
from kik_graph.export.rdf import INTERNAL_BASE
from kik_graph.namespaces import CPSV, KIK, KIKD, M8G, SCHEMA

#: Organisation types (``kik:organisationType``) that denote public bodies.
PUBLIC_ORGANISATION_TYPES: frozenset[URIRef] = frozenset({
    KIKD["organisationstyp/kommune"], KIKD["organisationstyp/staedtische-dienststelle"],
    KIKD["organisationstyp/behoerde"]})
#: Name of the spatial coverage (the municipality the KIK is about).
SPATIAL_LABEL = "Kempten (Allgäu)"
#: Service classes of the directory.
SERVICE_CLASSES = (KIK.Service, CPSV.PublicService, SCHEMA.Service)


@dataclass
class CpsvReport:
    """What the profile decided (IRIs, internal base)."""

    public_services: list[str] = field(default_factory=list)
    other_services: list[str] = field(default_factory=list)
    #: services whose stated competent authority is not a public body: (service, organisation)
    non_public_authorities: list[tuple[str, str]] = field(default_factory=list)
    public_organisations: list[str] = field(default_factory=list)


def is_public_body(graph: Graph, organisation: URIRef) -> bool:
    """Whether ``graph`` records ``organisation`` as a public body (by its ``kik:organisationType``)."""
    return any(t in PUBLIC_ORGANISATION_TYPES for t in graph.objects(organisation, KIK.organisationType))


def services(graph: Graph) -> list[URIRef]:
    """Every directory service in ``graph`` (any of the service classes), sorted."""
    found = {s for cls in SERVICE_CLASSES for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    return sorted(found, key=str)


def _agents(graph: Graph, vocabulary: Graph | None) -> set[URIRef]:
    classes = {FOAF.Agent, FOAF.Organization, URIRef("http://www.w3.org/ns/org#Organization"), KIK.Organisation,
               KIK.Actor, KIK.ActorCategory, KIK.GovernanceBody, M8G.PublicOrganisation}
    if vocabulary is not None:
        frontier = list(classes)
        while frontier:
            for sub in vocabulary.subjects(RDFS.subClassOf, frontier.pop()):
                if isinstance(sub, URIRef) and sub not in classes:
                    classes.add(sub)
                    frontier.append(sub)
    return {s for cls in classes for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}


def _describe_agent(graph: Graph, agent: URIRef) -> None:
    if (agent, DCTERMS.title, None) not in graph:
        for label in graph.objects(agent, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language:
                graph.add((agent, DCTERMS.title, label))
    if (agent, DCTERMS.identifier, None) not in graph:
        text = str(agent)
        graph.add((agent, DCTERMS.identifier, Literal(text[len(INTERNAL_BASE):] if text.startswith(INTERNAL_BASE)
                                                      else text)))


def apply_profile(graph: Graph, vocabulary: Graph | None = None) -> CpsvReport:
    """Apply the CPSV-AP profile to ``graph`` (the public graph, internal IRIs) in place; return the decisions."""
    report = CpsvReport()
    authorities: set[URIRef] = set()
    for service in services(graph):
        stated = [o for o in graph.objects(service, M8G.hasCompetentAuthority) if isinstance(o, URIRef)]
        public = [o for o in stated if is_public_body(graph, o)]
        for other in stated:
            if other not in public:
                graph.remove((service, M8G.hasCompetentAuthority, other))
                report.non_public_authorities.append((str(service), str(other)))
        if public:
            graph.add((service, RDF.type, CPSV.PublicService))
            authorities.update(public)
            report.public_services.append(str(service))
        else:
            graph.remove((service, RDF.type, CPSV.PublicService))
            graph.add((service, RDF.type, KIK.Service))
            graph.add((service, RDF.type, SCHEMA.Service))
            report.other_services.append(str(service))
    for organisation in sorted(authorities, key=str):
        graph.add((organisation, RDF.type, M8G.PublicOrganisation))
        if (organisation, DCTERMS.spatial, None) not in graph:
            graph.add((organisation, DCTERMS.spatial, SPATIAL))
        report.public_organisations.append(str(organisation))
    if authorities:
        for location in set(graph.objects(None, DCTERMS.spatial)) & {SPATIAL}:
            graph.add((location, RDF.type, DCTERMS.Location))
            graph.add((location, SKOS.prefLabel, Literal(SPATIAL_LABEL, lang="de")))
    for agent in _agents(graph, vocabulary):
        _describe_agent(graph, agent)
    return report
