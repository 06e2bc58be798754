"""A deterministic synthetic registry for demonstrations, benchmarks and manual tests.

Everything here is written for the project (no copy of the official files): sectors with
their NSF and ROME codes, job titles by level, blocks, texts and certifiers are combined
with a seeded random generator, so the same call always yields the same fiches.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from opencertif.registry.records import (
    CHILD_FIELDS,
    SCALAR_FIELDS,
    BlockRecord,
    CertifierRecord,
    FicheRecord,
    PartnerRecord,
    RouteRecord,
    StatRecord,
)


def _luhn_complete(prefix: str) -> str:
    """Append the digit that makes `prefix` pass the Luhn checksum (SIREN and SIRET keys)."""
    for last in "0123456789":
        candidate = prefix + last
        total = 0
        for index, char in enumerate(reversed(candidate)):
            digit = int(char) * (2 if index % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def demo_siret(serial: int, establishment: int = 1) -> str:
    """A made-up SIRET that the sign-up form accepts, the same on every run.

    Both official keys hold: the SIREN is "00" + `serial` on six digits + its Luhn key, the
    NIC is `establishment` on four digits + the key that makes the 14 digits pass Luhn. The
    run of leading zeros makes them read as demo numbers.
    """
    if not (0 < serial < 10**6 and 0 <= establishment < 10**4):
        raise ValueError(f"demo SIRET out of range: {serial}, {establishment}")
    siren = _luhn_complete(f"00{serial:06d}")
    return _luhn_complete(f"{siren}{establishment:04d}")


def _partner_siret(draw: int) -> str:
    """A partner's SIRET from one random draw (below 10**12), as many draws as before."""
    return demo_siret(10_000 + draw % 990_000, (draw // 10**6) % 10**4)


# Serials: 1 the demo university, 2 the third-party depositor (demo/accounts.py), 100-399
# the registry's certifiers, 10,000 and above the certifiers' partners.
DEMO_UNIVERSITY_SIRET = demo_siret(1)
DEMO_THIRD_PARTY_SIRET = demo_siret(2)

DEMO_UNIVERSITY_NAME = "Université de démonstration"
REFERENCE_DATE = datetime.date(2026, 1, 1)
PROVIDED = frozenset(SCALAR_FIELDS) | frozenset(CHILD_FIELDS)


@dataclass(frozen=True)
class Sector:
    name: str
    nsf: tuple[tuple[str, str], ...]
    rome: tuple[tuple[str, str], ...]
    jobs: dict  # level band ("3-4", "5", "6", "7-8") -> job titles
    blocks: tuple[str, ...]
    specialities: tuple[str, ...]
    formacodes: tuple[tuple[str, str], ...]


def _sector(name, nsf, rome, low, mid, high, top, blocks, specialities, formacodes) -> Sector:
    return Sector(
        name=name,
        nsf=tuple(nsf),
        rome=tuple(rome),
        jobs={"3-4": low, "5": mid, "6": high, "7-8": top},
        blocks=tuple(blocks),
        specialities=tuple(specialities),
        formacodes=tuple(formacodes),
    )


SECTORS = (
    _sector(
        "comptabilité et gestion",
        [("314", "Comptabilité, gestion"), ("314m", "Comptabilité, gestion – gestion")],
        [
            ("M1203", "Comptabilité"),
            ("M1206", "Management de groupe ou de service comptable"),
            ("M1202", "Audit et contrôle comptables et financiers"),
            ("M1204", "Contrôle de gestion"),
        ],
        ["Employé administratif et comptable", "Agent de comptabilité", "Aide-comptable"],
        [
            "Gestionnaire comptable et fiscal",
            "Technicien supérieur en comptabilité",
            "Assistant de comptabilité et de gestion",
        ],
        [
            "Responsable en comptabilité et gestion",
            "Chargé de comptabilité et de paie",
            "Gestionnaire de la comptabilité des entreprises",
        ],
        [
            "Expert en comptabilité, contrôle et audit",
            "Directeur administratif et financier",
            "Manager de la comptabilité et de la finance",
        ],
        [
            "Tenue de la comptabilité générale",
            "Établissement des déclarations fiscales",
            "Élaboration des comptes annuels",
            "Gestion de la paie et des déclarations sociales",
            "Contrôle de gestion et reporting",
            "Analyse financière et trésorerie",
            "Audit comptable et contrôle interne",
        ],
        [
            "des petites entreprises",
            "en cabinet d'expertise",
            "du secteur associatif",
            "option fiscalité",
            "et gestion de la paie",
            "des collectivités",
        ],
        [("32663", "Comptabilité"), ("32688", "Gestion comptable"), ("32654", "Contrôle gestion")],
    ),
    _sector(
        "informatique et développement",
        [
            ("326", "Informatique, traitement de l'information, réseaux de transmission"),
            ("326t", "Programmation, mise en place de logiciels"),
        ],
        [
            ("M1805", "Études et développement informatique"),
            ("M1802", "Expertise et support en systèmes d'information"),
            ("M1810", "Production et exploitation de systèmes d'information"),
        ],
        ["Technicien d'assistance informatique", "Agent de support informatique"],
        [
            "Développeur web et web mobile",
            "Technicien supérieur systèmes et réseaux",
            "Gestionnaire de parc informatique",
        ],
        [
            "Concepteur développeur d'applications",
            "Administrateur d'infrastructures sécurisées",
            "Développeur full stack",
        ],
        [
            "Expert en ingénierie du logiciel",
            "Architecte des systèmes d'information",
            "Manager de projets informatiques",
        ],
        [
            "Développer une application web",
            "Concevoir une base de données",
            "Déployer et maintenir une infrastructure",
            "Tester et sécuriser une application",
            "Piloter un projet informatique",
            "Intégrer des services d'intelligence artificielle",
        ],
        ["option cloud", "spécialité données", "orienté mobile", "en environnement agile"],
        [
            ("31067", "Développement informatique"),
            ("31057", "Génie logiciel"),
            ("31094", "Gestion projet informatique"),
        ],
    ),
    _sector(
        "cybersécurité",
        [("326n", "Analyse informatique, conception d'architecture de réseaux")],
        [
            ("M1844", "Management en sécurité des systèmes d'information"),
            ("M1802", "Expertise et support en systèmes d'information"),
        ],
        ["Opérateur de centre de supervision"],
        ["Technicien en cybersécurité", "Analyste en centre opérationnel de sécurité"],
        ["Administrateur de la sécurité des systèmes", "Analyste en cybersécurité"],
        ["Expert en cybersécurité", "Responsable de la sécurité des systèmes d'information"],
        [
            "Analyser les risques numériques",
            "Surveiller les systèmes d'information",
            "Répondre à un incident de sécurité",
            "Auditer la sécurité d'une organisation",
            "Mettre en conformité avec le RGPD",
        ],
        ["des réseaux industriels", "option audit", "et gestion de crise"],
        [("31006", "Sécurité informatique")],
    ),
    _sector(
        "santé et soins",
        [("331", "Santé"), ("331t", "Soins infirmiers")],
        [
            ("J1501", "Soins d'hygiène, de confort du patient"),
            ("J1506", "Soins infirmiers généralistes"),
            ("J1304", "Aide en puériculture"),
        ],
        ["Aide-soignant", "Auxiliaire de puériculture", "Agent de service hospitalier"],
        ["Préparateur en pharmacie", "Assistant dentaire", "Secrétaire médical"],
        ["Infirmier", "Manipulateur en électroradiologie médicale", "Technicien de laboratoire"],
        ["Cadre de santé", "Directeur d'établissement sanitaire", "Infirmier en pratique avancée"],
        [
            "Accompagner la personne dans les actes de la vie quotidienne",
            "Évaluer l'état clinique d'une personne",
            "Réaliser des soins adaptés",
            "Assurer l'hygiène et la prévention des infections",
            "Travailler en équipe pluriprofessionnelle",
            "Transmettre les informations de soins",
        ],
        ["en milieu hospitalier", "en gériatrie", "à domicile", "en pédiatrie"],
        [("43448", "Soins infirmiers"), ("43436", "Aide-soignant")],
    ),
    _sector(
        "bâtiment et travaux publics",
        [
            ("232", "Bâtiment : construction et couverture"),
            ("233", "Bâtiment : finitions"),
            ("231", "Mines et carrières, génie civil, topographie"),
        ],
        [
            ("F1703", "Maçonnerie"),
            ("F1601", "Application et décoration en plâtre, stuc et staff"),
            ("F1106", "Ingénierie et études du BTP"),
            ("F1201", "Conduite de travaux du BTP"),
        ],
        ["Maçon", "Carreleur mosaïste", "Peintre en bâtiment", "Couvreur"],
        ["Technicien d'études du bâtiment", "Chef de chantier gros œuvre"],
        ["Conducteur de travaux du bâtiment", "Chargé d'affaires en rénovation énergétique"],
        ["Ingénieur en génie civil", "Manager de la construction durable"],
        [
            "Organiser le chantier",
            "Réaliser les ouvrages de gros œuvre",
            "Lire et exploiter des plans",
            "Appliquer les règles de sécurité sur chantier",
            "Conduire des travaux de rénovation énergétique",
            "Chiffrer un ouvrage",
        ],
        ["option gros œuvre", "en rénovation", "spécialité travaux publics", "et finitions"],
        [("22454", "Bâtiment"), ("22414", "Maçonnerie")],
    ),
    _sector(
        "transport et logistique",
        [("311", "Transport, manutention, magasinage"), ("311m", "Logistique")],
        [
            ("N1103", "Magasinage et préparation de commandes"),
            ("N4101", "Conduite de transport de marchandises sur longue distance"),
            ("N1301", "Conception et organisation de la chaîne logistique"),
        ],
        ["Agent magasinier", "Conducteur routier de marchandises", "Préparateur de commandes"],
        [
            "Technicien supérieur en méthodes et exploitation logistique",
            "Gestionnaire des opérations de transport",
        ],
        ["Responsable logistique", "Responsable d'exploitation transport"],
        ["Manager de la chaîne logistique", "Directeur des opérations logistiques"],
        [
            "Réceptionner et stocker les marchandises",
            "Préparer et expédier les commandes",
            "Organiser les tournées de transport",
            "Piloter les flux logistiques",
            "Gérer un entrepôt",
            "Appliquer la réglementation du transport",
        ],
        ["option entrepôt", "du transport international", "e-commerce"],
        [("31815", "Logistique"), ("31811", "Transport")],
    ),
    _sector(
        "commerce et vente",
        [("312", "Commerce, vente"), ("312t", "Vente, commercialisation")],
        [
            ("D1106", "Vente en alimentation"),
            ("D1211", "Vente en articles de sport et loisirs"),
            ("D1402", "Relation commerciale grands comptes et entreprises"),
            ("D1502", "Management/gestion de rayon produits alimentaires"),
        ],
        ["Employé commercial en magasin", "Vendeur conseil en magasin", "Employé de libre-service"],
        ["Négociateur technico-commercial", "Manager d'unité marchande"],
        ["Responsable de la distribution", "Chargé d'affaires commerciales"],
        ["Manager du développement commercial", "Directeur commercial"],
        [
            "Accueillir et conseiller le client",
            "Réaliser la vente",
            "Gérer les stocks et l'assortiment",
            "Animer une équipe commerciale",
            "Développer un portefeuille clients",
            "Vendre en ligne",
        ],
        ["option alimentaire", "en grande distribution", "secteur automobile", "et e-commerce"],
        [("34554", "Vente"), ("34566", "Commerce")],
    ),
    _sector(
        "hôtellerie et restauration",
        [
            ("334", "Accueil, hôtellerie, tourisme"),
            ("221", "Agro-alimentaire, alimentation, cuisine"),
        ],
        [
            ("G1602", "Personnel de cuisine"),
            ("G1803", "Service en restauration"),
            ("G1703", "Réception en hôtellerie"),
        ],
        ["Cuisinier", "Commis de cuisine", "Serveur en restauration", "Pâtissier"],
        ["Réceptionniste en hôtellerie", "Chef de partie"],
        ["Responsable de restauration", "Gestionnaire d'établissement hôtelier"],
        ["Manager en hôtellerie internationale", "Directeur de l'hôtellerie et de la restauration"],
        [
            "Réaliser les préparations culinaires",
            "Assurer le service en salle",
            "Respecter l'hygiène alimentaire",
            "Gérer les approvisionnements",
            "Accueillir la clientèle",
            "Piloter la rentabilité d'un établissement",
        ],
        ["option cuisine", "en restauration collective", "de la gastronomie", "et traiteur"],
        [("42752", "Cuisine"), ("42754", "Hôtellerie")],
    ),
    _sector(
        "agriculture",
        [
            ("210", "Spécialités plurivalentes de l'agronomie et de l'agriculture"),
            ("211", "Productions végétales, cultures spécialisées"),
            ("212", "Productions animales"),
        ],
        [
            ("A1414", "Horticulture et maraîchage"),
            ("A1416", "Polyculture, élevage"),
            ("A1203", "Aménagement et entretien des espaces verts"),
        ],
        ["Ouvrier agricole", "Jardinier paysagiste", "Agent d'élevage"],
        ["Technicien en productions végétales", "Conseiller agricole"],
        ["Responsable d'exploitation agricole", "Chargé de projets agroécologiques"],
        ["Ingénieur agronome", "Manager des filières agricoles"],
        [
            "Conduire une culture",
            "Assurer les soins aux animaux",
            "Entretenir les espaces verts",
            "Gérer une exploitation agricole",
            "Mettre en œuvre des pratiques agroécologiques",
        ],
        ["en agriculture biologique", "option viticulture", "spécialité élevage"],
        [("21046", "Agriculture"), ("21054", "Paysage")],
    ),
    _sector(
        "industrie mécanique",
        [
            ("251", "Mécanique générale et de précision, usinage"),
            ("250", "Spécialités pluritechnologiques mécanique-électricité"),
            ("200", "Technologies industrielles fondamentales"),
        ],
        [
            ("H2903", "Conduite d'équipement d'usinage"),
            ("H1404", "Intervention technique en méthodes et industrialisation"),
            ("I1304", "Installation et maintenance d'équipements industriels"),
        ],
        ["Technicien d'usinage", "Opérateur régleur", "Soudeur"],
        ["Technicien de maintenance industrielle", "Technicien en méthodes industrielles"],
        ["Responsable de production industrielle", "Chargé d'industrialisation"],
        ["Ingénieur en génie mécanique", "Directeur d'usine"],
        [
            "Usiner des pièces sur machine à commande numérique",
            "Assurer la maintenance préventive",
            "Diagnostiquer une panne",
            "Améliorer un processus de production",
            "Contrôler la qualité",
        ],
        ["option aéronautique", "du secteur automobile", "en maintenance industrielle"],
        [("23054", "Usinage"), ("31876", "Maintenance industrielle")],
    ),
    _sector(
        "électricité et énergie",
        [("255", "Électricité, électronique"), ("227", "Énergie, génie climatique")],
        [
            ("F1602", "Électricité bâtiment"),
            ("I1306", "Installation et maintenance en froid, conditionnement d'air"),
            ("H1208", "Intervention technique en études et conception en automatisme"),
        ],
        ["Électricien d'équipement du bâtiment", "Installateur thermique"],
        ["Technicien en électrotechnique", "Technicien de maintenance des énergies renouvelables"],
        ["Chargé d'affaires en génie électrique", "Responsable de la transition énergétique"],
        ["Ingénieur en énergies renouvelables", "Manager de projets énergétiques"],
        [
            "Installer des équipements électriques",
            "Mettre en service une installation photovoltaïque",
            "Réaliser un bilan énergétique",
            "Habilitations électriques",
            "Programmer un automate",
        ],
        ["option photovoltaïque", "spécialité domotique", "et génie climatique"],
        [("24049", "Électricité"), ("22628", "Énergie renouvelable")],
    ),
    _sector(
        "communication et médias",
        [
            ("320", "Spécialités plurivalentes de la communication"),
            ("322", "Techniques de l'imprimerie et de l'édition"),
        ],
        [
            ("E1103", "Communication"),
            ("E1205", "Réalisation de contenus multimédias"),
            ("E1101", "Animation de site multimédia"),
        ],
        ["Opérateur prépresse"],
        ["Assistant de communication", "Infographiste metteur en page"],
        ["Chargé de communication", "Concepteur designer graphique"],
        ["Directeur de la communication", "Manager de la communication digitale"],
        [
            "Concevoir une stratégie de communication",
            "Produire des contenus multimédias",
            "Animer les réseaux sociaux",
            "Organiser un événement",
            "Mesurer l'audience",
        ],
        ["digitale", "option événementiel", "des organisations"],
        [("46312", "Communication"), ("46254", "Infographie")],
    ),
    _sector(
        "ressources humaines",
        [("315", "Ressources humaines, gestion du personnel, gestion de l'emploi")],
        [
            ("M1501", "Assistanat en ressources humaines"),
            ("M1502", "Développement des ressources humaines"),
            ("K1801", "Conseil en emploi et insertion socioprofessionnelle"),
        ],
        ["Agent administratif du personnel"],
        ["Assistant ressources humaines", "Gestionnaire de paie"],
        ["Chargé des ressources humaines", "Chargé de recrutement"],
        ["Responsable des ressources humaines", "Directeur des relations sociales"],
        [
            "Gérer l'administration du personnel",
            "Recruter et intégrer",
            "Développer les compétences",
            "Conduire le dialogue social",
            "Piloter la politique de rémunération",
        ],
        ["et paie", "option recrutement", "des PME"],
        [("33054", "Ressources humaines"), ("32652", "Paie")],
    ),
    _sector(
        "banque et assurance",
        [("313", "Finances, banque, assurances")],
        [
            ("C1206", "Gestion de clientèle bancaire"),
            ("C1102", "Conseil clientèle en assurances"),
            ("C1302", "Gestion back et middle-office marchés financiers"),
        ],
        ["Employé de banque"],
        ["Conseiller clientèle en banque", "Chargé de clientèle en assurances"],
        ["Conseiller en gestion de patrimoine", "Chargé d'affaires professionnels"],
        ["Manager de la banque et de l'assurance", "Analyste financier"],
        [
            "Conseiller le client sur les produits bancaires",
            "Analyser un risque de crédit",
            "Commercialiser des contrats d'assurance",
            "Appliquer la conformité financière",
        ],
        ["option patrimoine", "des particuliers", "des professionnels"],
        [("34026", "Banque"), ("34072", "Assurance")],
    ),
    _sector(
        "immobilier",
        [
            ("313t", "Gestion immobilière"),
            ("341", "Aménagement du territoire, développement, urbanisme"),
        ],
        [("C1504", "Transaction immobilière"), ("C1501", "Gérance immobilière")],
        ["Employé d'agence immobilière"],
        ["Négociateur immobilier", "Gestionnaire locatif"],
        ["Responsable d'agence immobilière", "Gestionnaire de copropriété"],
        ["Manager de l'immobilier", "Directeur du patrimoine immobilier"],
        [
            "Réaliser une transaction immobilière",
            "Gérer un bien locatif",
            "Administrer une copropriété",
            "Estimer un bien",
        ],
        ["résidentiel", "d'entreprise", "et syndic"],
        [("42088", "Immobilier")],
    ),
    _sector(
        "social et services à la personne",
        [("330", "Spécialités plurivalentes sanitaires et sociales"), ("332", "Travail social")],
        [
            ("K1302", "Assistance auprès d'adultes"),
            ("K1207", "Intervention socioéducative"),
            ("K1303", "Assistance auprès d'enfants"),
        ],
        ["Assistant de vie aux familles", "Accompagnant éducatif et social"],
        ["Moniteur éducateur", "Technicien de l'intervention sociale et familiale"],
        ["Éducateur spécialisé", "Assistant de service social"],
        ["Cadre de l'intervention sociale", "Directeur d'établissement social"],
        [
            "Accompagner la personne en situation de handicap",
            "Construire un projet éducatif",
            "Travailler en réseau avec les partenaires",
            "Prévenir la maltraitance",
            "Animer des activités de la vie quotidienne",
        ],
        ["auprès des personnes âgées", "en protection de l'enfance", "à domicile"],
        [("44054", "Travail social"), ("42056", "Aide à domicile")],
    ),
    _sector(
        "sécurité",
        [("344", "Sécurité des biens et des personnes, police, surveillance")],
        [("K2503", "Sécurité et surveillance privées"), ("K1705", "Sécurité civile et secours")],
        ["Agent de prévention et de sécurité", "Agent de sécurité incendie"],
        ["Agent de sûreté aéroportuaire", "Chef d'équipe de sécurité"],
        ["Responsable sûreté", "Chargé de prévention des risques"],
        ["Directeur de la sûreté", "Manager des risques"],
        [
            "Surveiller un site",
            "Prévenir les risques d'incendie",
            "Porter secours",
            "Gérer un incident de sûreté",
        ],
        ["incendie", "événementielle", "aéroportuaire"],
        [("42854", "Sécurité"), ("42872", "Sécurité incendie")],
    ),
    _sector(
        "environnement",
        [("343", "Nettoyage, assainissement, protection de l'environnement")],
        [
            ("K2306", "Supervision d'exploitation éco-industrielle"),
            ("K2304", "Revalorisation de produits industriels"),
        ],
        ["Agent de propreté et d'hygiène", "Agent de tri"],
        ["Technicien en traitement des eaux", "Technicien de l'environnement"],
        ["Chargé de mission environnement", "Responsable qualité sécurité environnement"],
        ["Ingénieur en environnement", "Manager de la transition écologique"],
        [
            "Gérer les déchets",
            "Traiter les eaux",
            "Mesurer l'impact environnemental",
            "Piloter une démarche RSE",
        ],
        ["et développement durable", "de l'économie circulaire", "spécialité eau"],
        [("12554", "Environnement")],
    ),
    _sector(
        "arts du spectacle",
        [("133", "Musique, arts du spectacle"), ("323", "Techniques de l'image et du son")],
        [
            ("L1503", "Décor et accessoires spectacle"),
            ("L1504", "Éclairage spectacle"),
            ("L1202", "Musicien et chanteur"),
        ],
        ["Technicien du spectacle"],
        ["Régisseur du spectacle", "Technicien son"],
        ["Régisseur général", "Chargé de production"],
        ["Directeur technique du spectacle", "Producteur"],
        [
            "Installer un plateau",
            "Régler la lumière",
            "Assurer la sonorisation",
            "Produire un spectacle vivant",
        ],
        ["vivant", "option lumière", "option son"],
        [("45084", "Spectacle")],
    ),
    _sector(
        "arts appliqués et métiers d'art",
        [
            ("134", "Autres disciplines artistiques et spécialités artistiques plurivalentes"),
            ("236", "Bois, ameublement"),
            ("242", "Habillement"),
        ],
        [
            ("B1301", "Décoration d'espaces de vente et d'exposition"),
            ("B1601", "Métallerie d'art"),
            ("B1802", "Réalisation d'articles en cuir et matériaux souples"),
        ],
        ["Ébéniste", "Tapissier d'ameublement", "Bijoutier joaillier"],
        ["Designer d'espace", "Artisan d'art"],
        ["Designer produit", "Restaurateur du patrimoine"],
        ["Directeur artistique", "Designer en chef"],
        [
            "Concevoir un objet",
            "Réaliser un prototype",
            "Restaurer une œuvre",
            "Dessiner un projet",
        ],
        ["du bois", "option mode", "du patrimoine"],
        [("45554", "Métiers d'art")],
    ),
    _sector(
        "langues",
        [("136", "Langues vivantes, civilisations étrangères et régionales")],
        [("E1108", "Traduction, interprétariat")],
        ["Employé polyvalent bilingue"],
        ["Assistant trilingue"],
        ["Traducteur technique"],
        ["Traducteur interprète de conférence", "Manager international"],
        [
            "Traduire un document",
            "Interpréter en situation professionnelle",
            "Communiquer en langue étrangère",
        ],
        ["anglais", "allemand", "espagnol"],
        [("15054", "Langues")],
    ),
    _sector(
        "sport et animation",
        [("335", "Animation culturelle, sportive et de loisirs")],
        [
            ("G1204", "Éducation en activités sportives"),
            ("G1202", "Animation d'activités culturelles ou ludiques"),
        ],
        ["Animateur d'activités physiques", "Animateur périscolaire"],
        ["Éducateur sportif", "Animateur social"],
        ["Coordinateur de projets d'animation", "Entraîneur sportif"],
        ["Directeur de structure sportive", "Manager du sport"],
        [
            "Encadrer une activité sportive",
            "Concevoir un projet d'animation",
            "Assurer la sécurité du public",
            "Gérer une structure de loisirs",
        ],
        ["option natation", "activités de la forme", "en accueil collectif de mineurs"],
        [("15454", "Sport"), ("44554", "Animation")],
    ),
    _sector(
        "tourisme",
        [("334t", "Tourisme")],
        [
            ("G1101", "Accueil touristique"),
            ("G1201", "Accompagnement de voyages, d'activités culturelles ou sportives"),
        ],
        ["Employé d'accueil touristique"],
        ["Conseiller en voyages", "Guide touristique"],
        ["Responsable d'office de tourisme", "Chargé de développement touristique"],
        ["Manager du tourisme", "Directeur d'agence de voyages"],
        [
            "Accueillir les touristes",
            "Construire un produit touristique",
            "Vendre un voyage",
            "Promouvoir un territoire",
        ],
        ["culturel", "et loisirs", "international"],
        [("42654", "Tourisme")],
    ),
    _sector(
        "coiffure et esthétique",
        [("336", "Coiffure, esthétique et autres spécialités des services aux personnes")],
        [("D1202", "Coiffure"), ("D1208", "Soins esthétiques et corporels")],
        ["Coiffeur", "Esthéticien cosméticien", "Prothésiste ongulaire"],
        ["Manager de salon de coiffure", "Conseiller en beauté"],
        ["Responsable d'institut de beauté"],
        ["Directeur de réseau de salons"],
        [
            "Réaliser une coupe",
            "Réaliser un soin du visage",
            "Conseiller la clientèle",
            "Gérer un salon",
        ],
        ["option barbier", "et spa", "cosmétique"],
        [("42016", "Coiffure"), ("42034", "Esthétique")],
    ),
    _sector(
        "droit",
        [("128", "Droit, sciences politiques")],
        [("K1903", "Défense et conseil juridique"), ("M1607", "Secrétariat juridique")],
        ["Agent administratif juridique"],
        ["Assistant juridique", "Secrétaire juridique"],
        ["Juriste d'entreprise", "Chargé de conformité"],
        ["Juriste expert en droit des affaires", "Responsable juridique"],
        [
            "Rédiger des actes juridiques",
            "Conseiller en droit social",
            "Assurer la veille juridique",
            "Gérer un contentieux",
        ],
        ["des affaires", "du numérique", "social"],
        [("13254", "Droit")],
    ),
    _sector(
        "enseignement et formation",
        [("333", "Enseignement, formation")],
        [("K2111", "Formation professionnelle"), ("K2107", "Enseignement général du second degré")],
        ["Assistant de formation"],
        ["Formateur professionnel d'adultes", "Conseiller en insertion professionnelle"],
        ["Responsable de formation", "Ingénieur pédagogique"],
        ["Directeur d'organisme de formation", "Manager de l'ingénierie de formation"],
        [
            "Concevoir une action de formation",
            "Animer une formation",
            "Évaluer les acquis",
            "Accompagner un parcours de VAE",
            "Concevoir une formation à distance",
        ],
        ["numérique", "pour adultes", "en entreprise"],
        [("44554", "Formation de formateurs")],
    ),
    _sector(
        "sciences et laboratoire",
        [
            ("110", "Spécialités pluriscientifiques"),
            ("222", "Transformations chimiques et apparentées"),
        ],
        [
            ("H1210", "Intervention technique en études, recherche et développement"),
            ("H1503", "Intervention technique en laboratoire d'analyse industrielle"),
        ],
        ["Agent de laboratoire"],
        ["Technicien de laboratoire", "Technicien chimiste"],
        ["Responsable de laboratoire", "Chargé d'études scientifiques"],
        ["Docteur en sciences", "Ingénieur de recherche"],
        [
            "Réaliser des analyses",
            "Mener une recherche scientifique",
            "Valoriser des résultats",
            "Assurer la qualité en laboratoire",
        ],
        ["en chimie", "en biologie", "en physique"],
        [("11054", "Sciences")],
    ),
    _sector(
        "formations générales",
        [
            ("100", "Formations générales"),
            ("410", "Spécialités concernant plusieurs capacités"),
            ("421", "Jeux et activités spécifiques de loisirs"),
            ("300", "Spécialités plurivalentes des services"),
        ],
        [("K2111", "Formation professionnelle")],
        ["Certificat de compétences de base"],
        ["Certificat de compétences transversales"],
        ["Certificat de compétences numériques avancées"],
        ["Certificat de compétences managériales"],
        [
            "Communiquer à l'écrit",
            "Utiliser les outils numériques",
            "Travailler en équipe",
            "Apprendre à apprendre",
        ],
        ["professionnelles", "numériques", "clés"],
        [("15030", "Compétences clés")],
    ),
)

ABBREVIATIONS = {
    "3": [("CAP", "Certificat d'aptitude professionnelle"), ("TP", "Titre professionnel")],
    "4": [
        ("BP", "Brevet professionnel"),
        ("BAC PRO", "Baccalauréat professionnel"),
        ("TP", "Titre professionnel"),
    ],
    "5": [("BTS", "Brevet de technicien supérieur"), ("TP", "Titre professionnel")],
    "6": [
        ("LP", "Licence professionnelle"),
        ("BUT", "Bachelor universitaire de technologie"),
        ("TP", "Titre professionnel"),
    ],
    "7": [("MASTER", "Master")],
    "8": [("DOCT", "Doctorat")],
    "sans": [("CQP", "Certificat de qualification professionnelle")],
}

RS_VERBS = (
    "Maîtriser",
    "Utiliser",
    "Réaliser",
    "Piloter",
    "Conduire",
    "Animer",
    "Mettre en œuvre",
    "Sécuriser",
    "Évaluer",
    "Organiser",
)
CITIES = (
    "Lyon",
    "Lille",
    "Nantes",
    "Rennes",
    "Bordeaux",
    "Toulouse",
    "Marseille",
    "Nice",
    "Strasbourg",
    "Montpellier",
    "Grenoble",
    "Dijon",
    "Clermont-Ferrand",
    "Tours",
    "Rouen",
    "Caen",
    "Brest",
    "Limoges",
    "Poitiers",
    "Metz",
    "Nancy",
    "Reims",
    "Amiens",
    "Orléans",
    "Besançon",
    "Perpignan",
    "Pau",
    "Angers",
    "Le Mans",
    "Saint-Étienne",
)
JURIES = (
    "Le jury est composé de professionnels du secteur, dont au moins la moitié extérieurs "
    "à l'organisme certificateur.",
    "Le jury comprend un représentant du certificateur et deux professionnels en activité.",
    "Le jury est présidé par un enseignant-chercheur ; il comprend au moins un représentant "
    "des employeurs et un représentant des salariés.",
)


def _certifiers(rng: random.Random) -> list[CertifierRecord]:
    names: list[str] = []
    ministries = (
        "Ministère chargé de l'emploi",
        "Ministère de l'éducation nationale",
        "Ministère de l'enseignement supérieur",
        "Ministère chargé de l'agriculture",
        "Ministère chargé de la santé",
        "Ministère chargé des sports",
        "Ministère chargé des affaires sociales",
        "Ministère de la culture",
    )
    names.extend(ministries)
    for city in CITIES:
        names.append(f"Université de {city}")
        names.append(f"Chambre de commerce et d'industrie de {city}")
        names.append(f"École supérieure de commerce de {city}")
        names.append(f"Institut de formation aux métiers de la santé de {city}")
    branches = (
        "de la métallurgie",
        "du bâtiment",
        "des transports",
        "de l'hôtellerie-restauration",
        "de la propreté",
        "de la banque",
        "de l'assurance",
        "du commerce de détail",
        "des services à la personne",
        "de la coiffure",
        "de l'immobilier",
        "du spectacle vivant",
    )
    names.extend(f"CPNE {branch}" for branch in branches)
    prefixes = ("Institut", "Académie", "École", "Centre", "Campus", "Atelier")
    domains = (
        "du numérique",
        "des métiers du bâtiment",
        "de la logistique",
        "de gestion",
        "des arts appliqués",
        "de la sécurité",
        "du management",
        "de l'environnement",
        "des langues",
        "du sport",
        "du tourisme",
        "de la beauté",
    )
    suffix = 1
    while len(names) < 300:
        name = f"{rng.choice(prefixes)} {rng.choice(domains)} {rng.choice(CITIES)}"
        if name not in names:
            names.append(name)
        else:
            names.append(f"{name} {suffix}")
            suffix += 1
    certifiers = []
    for index, name in enumerate(names[:300]):
        siret = None if index % 3 == 2 else demo_siret(100 + index, rng.randrange(10000))
        certifiers.append(CertifierRecord(siret=siret, name=name, state="active"))
    return certifiers


def _band(level: str) -> str:
    if level in ("3", "4", "sans"):
        return "3-4"
    if level in ("7", "8"):
        return "7-8"
    return level


def _competences(blocks: list[str]) -> str:
    return "    ".join(
        f"C{i}. {label} en respectant les règles de l'art et la réglementation en vigueur."
        for i, label in enumerate(blocks, 1)
    )


def _record(number: str, register: str, **values) -> FicheRecord:
    return FicheRecord(number=number, register=register, source="demo", provided=PROVIDED, **values)


def _university_fiches() -> list[FicheRecord]:
    university = CertifierRecord(
        siret=DEMO_UNIVERSITY_SIRET, name=DEMO_UNIVERSITY_NAME, state="active"
    )
    diplomas = (
        ("Master Comptabilité, contrôle, audit", "7", "MASTER", "Master", 0),
        (
            "Licence professionnelle Métiers de la gestion et de la comptabilité",
            "6",
            "LP",
            "Licence professionnelle",
            0,
        ),
        (
            "Bachelor universitaire de technologie Informatique",
            "6",
            "BUT",
            "Bachelor universitaire de technologie",
            1,
        ),
        ("Master Informatique – ingénierie du logiciel", "7", "MASTER", "Master", 1),
        (
            "Licence professionnelle Logistique et pilotage des flux",
            "6",
            "LP",
            "Licence professionnelle",
            5,
        ),
        ("Master Management des ressources humaines", "7", "MASTER", "Master", 12),
        ("Diplôme universitaire de technologie Gestion des entreprises", "5", "", "", 0),
        (
            "Licence professionnelle Commerce et distribution",
            "6",
            "LP",
            "Licence professionnelle",
            6,
        ),
        ("Master Droit des affaires", "7", "MASTER", "Master", 24),
        ("Diplôme d'université Assistant de direction", "5", "", "", 12),
    )
    start, end = datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)
    records = []
    for index, (title, level, code, label, sector_index) in enumerate(diplomas, 1):
        sector = SECTORS[sector_index]
        number = f"RNCP9000{index}" if index < 10 else "RNCP90010"
        blocks = list(sector.blocks[:4])
        records.append(
            _record(
                number,
                "rncp",
                source_id=90000 + index,
                title=title,
                abbreviation_code=code,
                abbreviation_label=label,
                level=level,
                is_active=True,
                registration_type="on_request",
                decision_date=start,
                effect_date=start,
                registration_end_date=end,
                activities=f"Activités du domaine {sector.name}.",
                abilities=_competences(blocks),
                sectors=f"Entreprises et organisations du secteur {sector.name}.",
                jobs="    ".join(sector.jobs[_band(level)]),
                objectives=f"Former des professionnels qualifiés en {sector.name}.",
                prerequisites="Baccalauréat ou diplôme de niveau 4 ; admission sur dossier.",
                new_caledonia=False,
                french_polynesia=False,
                has_partners=False,
                blocks=[
                    BlockRecord(
                        code=f"{number}BC{i:02d}",
                        label=block,
                        competences=f"C{i}.1. {block} ; C{i}.2. en rendre compte.",
                        evaluation="Mise en situation professionnelle    Étude de cas",
                    )
                    for i, block in enumerate(blocks, 1)
                ],
                certifiers=[university],
                routes=[
                    RouteRecord(route=route, is_open=True, jury_composition=JURIES[2])
                    for route in ("initial", "apprenticeship", "continuing", "vae")
                ],
                nsf=list(sector.nsf[:1]),
                rome=list(sector.rome[:2]),
                formacodes=list(sector.formacodes[:1]),
            )
        )
    short = (
        ("Réaliser la paie d'une petite entreprise", 0),
        ("Utiliser un tableur pour l'analyse de données", 1),
        ("Piloter un projet numérique", 1),
    )
    for index, (title, sector_index) in enumerate(short, 1):
        sector = SECTORS[sector_index]
        records.append(
            _record(
                f"RS9000{index}",
                "rs",
                source_id=91000 + index,
                title=title,
                is_active=True,
                registration_type="on_request",
                decision_date=start,
                effect_date=start,
                registration_end_date=end,
                abilities=f"C1. {title} de façon autonome.    C2. En rendre compte.",
                partial_validation=False,
                new_caledonia=False,
                french_polynesia=False,
                has_partners=False,
                certifiers=[university],
                routes=[RouteRecord(route="continuing", is_open=True, jury_composition=JURIES[1])],
                nsf=list(sector.nsf[:1]),
                formacodes=list(sector.formacodes[:1]),
            )
        )
    return records


def generate(count: int = 2000, *, seed: int = 2026) -> Iterator[FicheRecord]:
    """Yield `count` synthetic fiches plus the 13 fixed fiches of the demo university."""
    yield from _university_fiches()
    rng = random.Random(seed)
    certifiers = _certifiers(rng)
    # Far above the numbers France Compétences has issued (about RNCP42000 and RS7000 in
    # 2026), so that importing the real export next to the demo never collides.
    rncp_numbers = iter(range(60000, 90000))
    rs_numbers = iter(range(60000, 90000))
    levels = ("3", "4", "5", "6", "7", "8")
    produced = chains = 0
    while produced < count:
        sector = SECTORS[produced % len(SECTORS)] if produced < 200 else rng.choice(SECTORS)
        # A chain of 1 to 3 versions of the same certification, the newest last.
        versions = 1 if rng.random() > 0.15 else rng.choice((2, 3))
        versions = min(versions, count - produced)
        is_rs = rng.random() < 0.2
        level = "" if is_rs else (rng.choice(levels) if rng.random() > 0.01 else "sans")
        job = rng.choice(sector.jobs[_band(level or "5")])
        speciality = rng.choice(sector.specialities)
        owner = rng.sample(certifiers, 2 if rng.random() < 0.1 else 1)
        if chains < len(certifiers):
            # every certifier gets at least one fiche
            owner[0] = certifiers[chains]
        chains += 1
        block_labels = rng.sample(sector.blocks, min(len(sector.blocks), rng.randint(4, 6)))
        first_decision = datetime.date(2014, 1, 1) + datetime.timedelta(days=rng.randrange(4200))
        chain_numbers = [
            f"RS{next(rs_numbers)}" if is_rs else f"RNCP{next(rncp_numbers)}"
            for _ in range(versions)
        ]
        decision = first_decision
        for position, number in enumerate(chain_numbers):
            duration = rng.randint(3, 5)
            end = decision.replace(year=decision.year + duration, day=min(decision.day, 28))
            newest = position == versions - 1
            active = newest and end >= REFERENCE_DATE
            if is_rs:
                title = f"{rng.choice(RS_VERBS)} {block_labels[0][0].lower()}{block_labels[0][1:]}"
                title += f" {speciality}"
            else:
                title = f"{job} {speciality}"
            abbreviation = ("", "")
            if not is_rs and rng.random() < 0.3:
                abbreviation = rng.choice(ABBREVIATIONS[level])
            links = []
            if position > 0:
                links.append(("old", chain_numbers[position - 1]))
            if not newest:
                links.append(("new", chain_numbers[position + 1]))
            jo = None
            if not is_rs and rng.random() < 0.5:
                jo = decision + datetime.timedelta(days=rng.randint(10, 60))
            partners = [
                PartnerRecord(
                    siret=_partner_siret(rng.randrange(10**12)),
                    name=f"{rng.choice(('Centre de formation', 'Organisme', 'Lycée', 'CFA'))} "
                    f"{rng.choice(CITIES)} {rng.randint(1, 99)}",
                    habilitation=rng.choice(("train", "train_assess", "assess")),
                    state="active" if active else "inactive",
                    active_since=decision,
                    state_changed_on=decision,
                )
                for _ in range(rng.randint(0, 6))
            ]
            routes = ["continuing", "vae"] if not is_rs else ["continuing"]
            routes += rng.sample(
                ["initial", "apprenticeship", "professionalisation", "candidacy"],
                rng.randint(0, 3 if not is_rs else 1),
            )
            yield _record(
                number,
                "rs" if is_rs else "rncp",
                source_id=100000 + produced,
                title=title,
                abbreviation_code=abbreviation[0],
                abbreviation_label=abbreviation[1],
                level=level,
                state="archived" if not active and rng.random() < 0.1 else "published",
                is_active=active,
                registration_type="by_right" if not is_rs and rng.random() < 0.15 else "on_request",
                decision_date=decision,
                effect_date=decision + datetime.timedelta(days=rng.choice((0, 0, 1, 7))),
                registration_end_date=end,
                last_jo_date=jo,
                delivery_limit_date=end + datetime.timedelta(days=182)
                if rng.random() < 0.3
                else None,
                registration_duration=duration,
                activities="    ".join(
                    f"Activité {i} : {label}" for i, label in enumerate(block_labels, 1)
                ),
                abilities=_competences(block_labels),
                sectors=f"Entreprises et organisations du secteur {sector.name}.",
                jobs="    ".join(sector.jobs[_band(level or "5")]),
                objectives=(
                    f"La certification répond aux besoins en compétences du secteur "
                    f"{sector.name} et vise l'insertion durable de ses titulaires."
                ),
                regulations=""
                if rng.random() < 0.7
                else "Activité réglementée : habilitation requise.",
                prerequisites=""
                if rng.random() < 0.3
                else "Niveau de qualification inférieur validé.",
                partial_validation=(rng.random() < 0.3) if is_rs else None,
                new_caledonia=rng.random() < 0.05,
                french_polynesia=rng.random() < 0.05,
                has_partners=bool(partners),
                blocks=[]
                if is_rs
                else [
                    BlockRecord(
                        code=f"{number}BC{i:02d}",
                        label=label,
                        competences=f"C{i}.1. {label}.    C{i}.2. Rendre compte de son action.",
                        evaluation=rng.choice(
                            (
                                "Mise en situation professionnelle",
                                "Étude de cas",
                                "Dossier professionnel et entretien",
                            )
                        ),
                    )
                    for i, label in enumerate(block_labels, 1)
                ],
                certifiers=owner,
                partners=partners,
                routes=[
                    RouteRecord(route=route, is_open=True, jury_composition=rng.choice(JURIES))
                    for route in routes
                ],
                links=links,
                jo_publications=[
                    (
                        jo,
                        f"Arrêté du {jo:%d/%m/%Y} portant enregistrement au répertoire national "
                        "des certifications professionnelles",
                    )
                ]
                if jo
                else [],
                stats=[
                    StatRecord(
                        year=2022 + i,
                        certified=rng.randint(5, 300),
                        certified_vae=rng.randint(0, 20),
                        insertion_rate_6m=rng.randint(50, 100),
                        insertion_rate_2y=rng.randint(50, 100),
                    )
                    for i in range(rng.randint(0, 3))
                ]
                if not is_rs and active
                else [],
                agreements=[("1486", "Bureaux d'études techniques, cabinets d'ingénieurs-conseils")]
                if rng.random() < 0.03
                else [],
                nsf=rng.sample(sector.nsf, 1 if rng.random() < 0.7 else min(2, len(sector.nsf))),
                rome=[]
                if is_rs
                else rng.sample(sector.rome, min(len(sector.rome), rng.randint(1, 3))),
                formacodes=rng.sample(
                    sector.formacodes, min(len(sector.formacodes), rng.randint(1, 3))
                ),
            )
            produced += 1
            decision = end - datetime.timedelta(days=rng.randint(0, 60))
