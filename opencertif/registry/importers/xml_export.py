"""Streaming reader of the official XML export V4.1 (RNCP and RS, about 570 MB for the RNCP).

Each <FICHE> is turned into a FicheRecord then cleared, with its already-read siblings, so
memory stays flat whatever the size of the file. Entities and network access are off.
"""

from collections import Counter
from collections.abc import Iterator

from lxml import etree

from opencertif.registry.importers import values
from opencertif.registry.importers.sources import FileSource
from opencertif.registry.records import (
    CHILD_FIELDS,
    SCALAR_FIELDS,
    BlockRecord,
    CertifierRecord,
    FicheRecord,
    PartnerRecord,
    RegistryImportError,
    RouteRecord,
    RowError,
    StatRecord,
)

SUPPORTED_VERSIONS = ("4",)

TEXT_TAGS = {
    "ACTIVITES_VISEES": "activities",
    "CAPACITES_ATTESTEES": "abilities",
    "SECTEURS_ACTIVITE": "sectors",
    "TYPE_EMPLOI_ACCESSIBLES": "jobs",
    "OBJECTIFS_CONTEXTE": "objectives",
    "REGLEMENTATIONS_ACTIVITES": "regulations",
    "PREREQUIS_ENTREE_FORMATION": "prerequisites",
    "LIEN_URL_DESCRIPTION": "description_url",
}
DATE_TAGS = {
    "DATE_DECISION": "decision_date",
    "DATE_EFFET": "effect_date",
    "DATE_FIN_ENREGISTREMENT": "registration_end_date",
    "DATE_DERNIER_JO": "last_jo_date",
    "DATE_LIMITE_DELIVRANCE": "delivery_limit_date",
}
BOOL_TAGS = {
    "VALIDATION_PARTIELLE": "partial_validation",
    "ACCESSIBLE_NOUVELLE_CALEDONIE": "new_caledonia",
    "ACCESSIBLE_POLYNESIE_FRANCAISE": "french_polynesia",
    "EXISTENCE_PARTENAIRES": "has_partners",
}
KNOWN_TAGS = (
    set(TEXT_TAGS)
    | set(DATE_TAGS)
    | set(BOOL_TAGS)
    | set(values.ROUTES_BY_XML_TAG)
    | {
        "ID_FICHE",
        "NUMERO_FICHE",
        "INTITULE",
        "ETAT_FICHE",
        "ACTIF",
        "ABREGE",
        "NOMENCLATURE_EUROPE",
        "TYPE_ENREGISTREMENT",
        "DUREE_ENREGISTREMENT",
        "ANCIENNES_CERTIFICATIONS",
        "NOUVELLES_CERTIFICATIONS",
        "FORMACODES",
        "CODES_NSF",
        "CODES_ROME",
        "CERTIFICATEURS",
        "PARTENAIRES",
        "BLOCS_COMPETENCES",
        "STATISTIQUES_PROMOTIONS",
    }
)


def _text(element, tag: str) -> str:
    child = element.find(tag)
    if child is None or child.text is None:
        return ""
    return child.text.strip()


class XmlExport:
    """Yields the fiches of one XML export file."""

    def __init__(self, source: FileSource):
        self.source = source
        self.total_bytes = source.size
        self.bytes_read = 0
        self.ignored_tags: Counter[str] = Counter()

    def _count(self, size: int) -> None:
        self.bytes_read += size

    def records(self) -> Iterator[FicheRecord | RowError]:
        stream = self.source.open(self._count)
        context = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            remove_comments=True,
        )
        version_seen = False
        depth = 0
        try:
            for event, element in context:
                if event == "start":
                    depth += 1
                    if depth == 1 and element.getroottree().docinfo.doctype:
                        raise RegistryImportError(
                            f"{self.source.name} : déclaration DOCTYPE refusée (les entités "
                            "et DTD sont interdites ; l'export officiel n'en contient pas)."
                        )
                    if depth == 1 and element.tag != "FICHES":
                        raise RegistryImportError(
                            f"{self.source.name} : élément racine <{element.tag}> au lieu de "
                            "<FICHES> ; ce n'est pas un export XML de France Compétences."
                        )
                    continue
                depth -= 1
                if depth != 1:
                    continue
                if element.tag == "VERSION_FLUX":
                    version = (element.text or "").strip()
                    if not version.startswith(SUPPORTED_VERSIONS):
                        raise RegistryImportError(
                            f"{self.source.name} : version de flux « {version} » non prise en "
                            "charge (versions 4.x acceptées)."
                        )
                    version_seen = True
                elif element.tag == "FICHE":
                    if not version_seen:
                        raise RegistryImportError(
                            f"{self.source.name} : <VERSION_FLUX> manquante avant la première "
                            "fiche."
                        )
                    try:
                        yield self._record(element)
                    except values.ValueProblem as exc:
                        yield RowError(self.source.name, element.sourceline, str(exc))
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else "?"
            raise RegistryImportError(
                f"{self.source.name}, ligne {line} : XML mal formé ({exc.msg})."
            ) from exc
        finally:
            stream.close()

    def _record(self, fiche) -> FicheRecord:
        number, register = values.number(_text(fiche, "NUMERO_FICHE"))
        title = values.text(_text(fiche, "INTITULE"))
        if not title:
            raise values.ValueProblem(f"{number} n'a pas d'intitulé")
        record = FicheRecord(
            number=number,
            register=register,
            source="xml",
            provided=frozenset(SCALAR_FIELDS) | frozenset(CHILD_FIELDS),
            line=fiche.sourceline,
            source_id=values.integer(_text(fiche, "ID_FICHE")),
            title=title,
            state=values.fiche_state(_text(fiche, "ETAT_FICHE")),
            is_active=values.yes_no(_text(fiche, "ACTIF")) or False,
            registration_type=values.registration_type(_text(fiche, "TYPE_ENREGISTREMENT")),
            registration_duration=values.integer(_text(fiche, "DUREE_ENREGISTREMENT")),
        )
        for tag, name in TEXT_TAGS.items():
            setattr(record, name, values.text(_text(fiche, tag)))
        for tag, name in DATE_TAGS.items():
            setattr(record, name, values.date(_text(fiche, tag)))
        for tag, name in BOOL_TAGS.items():
            setattr(record, name, values.yes_no(_text(fiche, tag)))
        abbreviation = fiche.find("ABREGE")
        if abbreviation is not None:
            record.abbreviation_code = values.text(_text(abbreviation, "CODE"))
            record.abbreviation_label = values.text(_text(abbreviation, "LIBELLE"))
        europe = fiche.find("NOMENCLATURE_EUROPE")
        if europe is not None:
            record.level = values.level(_text(europe, "NIVEAU"))
        for item in fiche.iterfind("ANCIENNES_CERTIFICATIONS/ANCIENNE_CERTIFICATION"):
            record.links.append(
                ("old", values.number(_text(item, "ID_FICHE_ANCIENNE_CERTIFICATION"))[0])
            )
        for item in fiche.iterfind("NOUVELLES_CERTIFICATIONS/NOUVELLE_CERTIFICATION"):
            record.links.append(
                ("new", values.number(_text(item, "ID_FICHE_NOUVELLE_CERTIFICATION"))[0])
            )
        for path, target in (
            ("FORMACODES/FORMACODE", record.formacodes),
            ("CODES_NSF/NSF", record.nsf),
            ("CODES_ROME/ROME", record.rome),
        ):
            for item in fiche.iterfind(path):
                code, label = values.code_and_label(_text(item, "CODE"), _text(item, "LIBELLE"))
                if code and all(existing[0] != code for existing in target):
                    target.append((code, label))
        for item in fiche.iterfind("CERTIFICATEURS/CERTIFICATEUR"):
            name = values.text(_text(item, "NOM_CERTIFICATEUR"))
            if name:
                record.certifiers.append(
                    CertifierRecord(
                        siret=values.siret(_text(item, "SIRET_CERTIFICATEUR")),
                        name=name,
                        state=values.link_state(_text(item, "ETAT_CERTIFICATEUR")),
                    )
                )
        for item in fiche.iterfind("PARTENAIRES/PARTENAIRE"):
            name = values.text(_text(item, "NOM_PARTENAIRE"))
            if name:
                record.partners.append(
                    PartnerRecord(
                        siret=values.siret(_text(item, "SIRET_PARTENAIRE")) or "",
                        name=name,
                        habilitation=values.habilitation(_text(item, "HABILITATION_PARTENAIRE")),
                        state=values.link_state(_text(item, "ETAT_HABILITATION")),
                        active_since=values.date(_text(item, "DATE_ACTIF")),
                        state_changed_on=values.date(
                            _text(item, "DATE_DERNIERE_MODIFICATION_ETAT")
                        ),
                    )
                )
        for tag, route in values.ROUTES_BY_XML_TAG.items():
            item = fiche.find(tag)
            if item is None:
                continue
            record.routes.append(
                RouteRecord(
                    route=route,
                    is_open=bool(values.yes_no(_text(item, "ACTIF"))),
                    jury_composition=values.text(_text(item, "COMPOSITION")),
                    updated_on=values.date(_text(item, "DATE_DERNIERE_MODIFICATION")),
                )
            )
        for item in fiche.iterfind("BLOCS_COMPETENCES/BLOC_COMPETENCES"):
            code = _text(item, "CODE")
            if code:
                record.blocks.append(
                    BlockRecord(
                        code=code,
                        label=values.text(_text(item, "LIBELLE")),
                        competences=values.text(_text(item, "LISTE_COMPETENCES")),
                        evaluation=values.text(_text(item, "MODALITES_EVALUATION")),
                    )
                )
        for item in fiche.iterfind("STATISTIQUES_PROMOTIONS/STATISTIQUES_PROMOTION"):
            year = values.integer(_text(item, "ANNEE"))
            if year:
                record.stats.append(
                    StatRecord(
                        year=year,
                        certified=values.integer(_text(item, "NOMBRE_CERTIFIES")),
                        certified_vae=values.integer(_text(item, "NOMBRE_CERTIFIES_VAE")),
                        insertion_rate_6m=values.integer(
                            _text(item, "TAUX_INSERTION_GLOBAL_6MOIS")
                        ),
                        insertion_rate_2y=values.integer(_text(item, "TAUX_INSERTION_METIER_2ANS")),
                    )
                )
        if record.last_jo_date:
            record.jo_publications.append((record.last_jo_date, ""))
        for child in fiche:
            if child.tag not in KNOWN_TAGS:
                self.ignored_tags[child.tag] += 1
        return record
