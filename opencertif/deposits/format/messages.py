"""libxml2's schema messages, said in French with what to fix."""

import re

from opencertif.deposits.format.names import NAMESPACE

_NS = re.compile(r"\{" + re.escape(NAMESPACE) + r"\}")
_ANY_NS = re.compile(r"\{[^}]*\}")

HINTS = {
    "horodatage": "format AAAA-MM-JJTHH:MM:SS+HH:MM, sans millisecondes ni « Z »",
    "dateDebutExamen": "format AAAA-MM-JJ",
    "dateFinExamen": "format AAAA-MM-JJ",
    "dateDebutValidite": 'format AAAA-MM-JJ, ou xsi:nil="true"',
    "dateFinValidite": 'format AAAA-MM-JJ, ou xsi:nil="true" si la certification n\'expire pas',
    "dateInscription": "format AAAA-MM-JJ",
    "nir": "13 caractères, sans la clé : sexe, année, mois, département (2A/2B), commune, rang",
}


def _names(text: str) -> str:
    """'( {ns}a, {ns}b )' → 'a, b'."""
    return ", ".join(_ANY_NS.sub("", part).strip() for part in text.strip(" ()").split(","))


def french(message: str) -> str:
    """Translate one libxml2 validation message; unknown shapes keep their original text."""
    message = message.strip()
    element = ""
    match = re.match(r"Element '([^']+)'(?: \[[^\]]+\])?: (.*)$", message, re.S)
    if match:
        element = _ANY_NS.sub("", match.group(1))
        body = match.group(2)
    else:
        body = message
    where = f"« {element} » : " if element else ""
    hint = f" (attendu : {HINTS[element]})" if element in HINTS else ""

    patterns = (
        (
            r"This element is not expected\. Expected is one of (\(.*\))",
            lambda m: (
                f"élément « {element} » inattendu à cet endroit ; attendu ici : "
                f"{_names(m.group(1))}."
            ),
        ),
        (
            r"This element is not expected\. Expected is (\(.*\))",
            lambda m: (
                f"élément « {element} » inattendu à cet endroit ; attendu ici : "
                f"{_names(m.group(1))}."
            ),
        ),
        (
            r"This element is not expected\.",
            lambda m: f"élément « {element} » inattendu à cet endroit (en trop ou en double).",
        ),
        (
            r"Missing child element\(s\)\. Expected is one of (\(.*\))",
            lambda m: f"{where}il manque un élément obligatoire, l'un de : {_names(m.group(1))}.",
        ),
        (
            r"Missing child element\(s\)\. Expected is (\(.*\))",
            lambda m: f"{where}il manque l'élément obligatoire {_names(m.group(1))}.",
        ),
        (
            r"\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed "
            r"maximum length of '(\d+)'",
            lambda m: f"{where}valeur trop longue ({m.group(1)} caractères, {m.group(2)} au plus).",
        ),
        (
            r"\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed "
            r"minimum length of '(\d+)'",
            lambda m: (
                f"{where}valeur vide ou trop courte ({m.group(1)} caractère(s), "
                f"{m.group(2)} au moins) ; omettez l'élément facultatif plutôt que de le "
                "laisser vide."
            ),
        ),
        (
            r"\[facet 'length'\] The value has a length of '(\d+)'; this differs from the allowed "
            r"length of '(\d+)'",
            lambda m: f"{where}doit compter exactement {m.group(2)} caractères (ici {m.group(1)}).",
        ),
        (
            r"\[facet 'pattern'\] The value '([^']*)' is not accepted by the pattern",
            lambda m: f"{where}valeur « {m.group(1)} » au mauvais format{hint}.",
        ),
        (
            r"\[facet 'enumeration'\] The value '([^']*)' is not an element of the set \{(.*)\}",
            lambda m: (
                f"{where}valeur « {m.group(1)} » non admise ; valeurs possibles : "
                f"{m.group(2).replace(chr(39), '')}."
            ),
        ),
        (
            r"\[facet 'minInclusive'\] The value '([^']*)' is less than the minimum value "
            r"allowed \('([^']*)'\)",
            lambda m: f"{where}{m.group(1)} est inférieur au minimum autorisé ({m.group(2)}).",
        ),
        (
            r"\[facet 'maxInclusive'\] The value '([^']*)' is greater than the maximum value "
            r"allowed \('([^']*)'\)",
            lambda m: f"{where}{m.group(1)} dépasse le maximum autorisé ({m.group(2)}).",
        ),
        (
            r"'([^']*)' is not a valid value of the (?:local )?atomic type",
            lambda m: (
                f"{where}valeur « {m.group(1)} » invalide"
                f"{hint or ' (nombre, date ou booléen attendu)'}."
            ),
        ),
        (
            r"The element is not 'nillable'",
            lambda m: (
                f"{where}cet élément ne peut pas être déclaré vide (xsi:nil) : "
                "renseignez-le ou omettez-le s'il est facultatif."
            ),
        ),
        (
            r"No matching global declaration available for the validation root",
            lambda m: (
                f"élément racine « {element} » inconnu : le fichier doit commencer par "
                f"<cpf:flux> dans l'espace de noms {NAMESPACE} (vérifiez la déclaration "
                "xmlns:cpf)."
            ),
        ),
        (
            r"Character content other than whitespace is not allowed",
            lambda m: f"{where}du texte figure là où seuls des éléments sont attendus.",
        ),
        (
            r"The value '([^']*)' is not valid\. Expected is '([^']*)'",
            lambda m: f"{where}valeur « {m.group(1)} » ; attendu : « {m.group(2)} ».",
        ),
    )
    for pattern, build in patterns:
        found = re.search(pattern, body, re.S)
        if found:
            text = build(found)
            return text[0].upper() + text[1:]
    return f"{where}{_NS.sub('cpf:', body)}" if where else _NS.sub("cpf:", body)


_POSITION = re.compile(r"(?:,\s*line \d+(?:,\s*column \d+)?)+\s*$")


def french_syntax(message: str) -> str:
    """Well-formedness errors (the file is not XML, not UTF-8, or abuses the parser)."""
    message = _POSITION.sub("", (message or "").strip()).strip()
    lowered = message.lower()
    if (
        "not proper utf-8" in lowered
        or "invalid utf-8" in lowered
        or "bytes:" in lowered
        or "invalid bytes in character encoding" in lowered
    ):
        return (
            "Le fichier n'est pas encodé en UTF-8 comme il le déclare : enregistrez-le en "
            "UTF-8 (sans autre encodage)."
        )
    if "document is empty" in lowered or "start tag expected" in lowered:
        return "Le fichier est vide ou n'est pas un fichier XML."
    if "doctype" in lowered or "entitydecl" in lowered or "entityvalue" in lowered:
        return (
            "Le fichier contient une déclaration DOCTYPE (DTD ou entités), refusée par "
            "sécurité : le format de dépôt n'en utilise pas."
        )
    found = re.search(r"entity '([^']+)' not defined", message, re.I)
    if found:
        return (
            f"L'entité « &{found.group(1)}; » n'est pas définie : le format de dépôt n'utilise "
            "pas d'entités. Écrivez le caractère lui-même (en UTF-8) ; seules &amp;amp; "
            "&amp;lt; &amp;gt; &amp;quot; et &amp;apos; sont admises."
        ).replace("&amp;", "&")
    if "excessive depth" in lowered:
        return (
            "Éléments imbriqués sur plus de 256 niveaux : le format de dépôt n'en compte que "
            "quelques-uns. Le fichier est refusé."
        )
    if "resource limit" in lowered or "huge" in lowered or "too long" in lowered:
        return (
            "Une valeur du fichier est démesurée (plus de 10 millions de caractères dans un "
            "même élément ou attribut) : le fichier est refusé."
        )
    found = re.search(r"(?:invalid char value|char 0x)([0-9a-fx]+)", lowered)
    if found or "invalid char" in lowered or "out of allowed range" in lowered:
        return (
            "Le fichier contient un caractère interdit en XML (caractère de contrôle, octet nul) : "
            "supprimez-le, puis déposez le fichier de nouveau."
        )
    if "premature end of data" in lowered or "extra content at the end" in lowered:
        return f"Le fichier XML est tronqué ou mal formé (détail : {message})."
    if "couldn't find end of start tag" in lowered or "unescaped '<'" in lowered:
        return (
            "Balise ouvrante non refermée ou caractère « < » non échappé (écrivez &lt;) : "
            f"le fichier XML est tronqué ou mal formé (détail : {message})."
        )
    if "starttag: invalid element name" in lowered:
        return (
            "Nom de balise invalide : un caractère « < » non échappé (écrivez &lt;) ou une "
            "déclaration mal placée."
        )
    if "opening and ending tag mismatch" in lowered:
        return f"Balise fermante qui ne correspond pas à la balise ouvrante (détail : {message})."
    if "double hyphen within comment" in lowered or "comment not terminated" in lowered:
        return "La chaîne « -- » n'est pas autorisée dans les commentaires XML."
    return f"Le fichier XML est mal formé (détail technique : {message})."
