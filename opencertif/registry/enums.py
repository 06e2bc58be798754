from django.db import models


class Register(models.TextChoices):
    RNCP = "rncp", "RNCP"
    RS = "rs", "Répertoire spécifique"


class Level(models.TextChoices):
    """European qualification level. RS fiches have none (empty value)."""

    L1 = "1", "Niveau 1"
    L2 = "2", "Niveau 2"
    L3 = "3", "Niveau 3"
    L4 = "4", "Niveau 4"
    L5 = "5", "Niveau 5"
    L6 = "6", "Niveau 6"
    L7 = "7", "Niveau 7"
    L8 = "8", "Niveau 8"
    WITHOUT = "sans", "Sans niveau"


class FicheState(models.TextChoices):
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Archivée"
    DRAFT = "draft", "Brouillon"
    OTHER = "other", "Autre état"


class RegistrationType(models.TextChoices):
    BY_RIGHT = "by_right", "Enregistrement de droit"
    ON_REQUEST = "on_request", "Enregistrement sur demande"
    OTHER = "other", "Autre"


class AccessRoute(models.TextChoices):
    """Ways to obtain a certification (voies d'accès), each with its own jury."""

    INITIAL = "initial", "Après un parcours de formation sous statut d’élève ou d’étudiant"
    APPRENTICESHIP = "apprenticeship", "En contrat d’apprentissage"
    CONTINUING = "continuing", "Après un parcours de formation continue"
    PROFESSIONALISATION = "professionalisation", "En contrat de professionnalisation"
    CANDIDACY = "candidacy", "Par candidature individuelle"
    VAE = "vae", "Par expérience (VAE)"


class LinkState(models.TextChoices):
    ACTIVE = "active", "Actif"
    INACTIVE = "inactive", "Inactif"
    UNKNOWN = "", "Non précisé"


class Habilitation(models.TextChoices):
    TRAIN = "train", "Habilitation pour former"
    TRAIN_ASSESS = "train_assess", "Habilitation pour former et organiser l’évaluation"
    ASSESS = "assess", "Habilitation pour organiser l’évaluation"
    OTHER = "other", "Autre habilitation"


class LinkKind(models.TextChoices):
    OLD = "old", "Ancienne certification"
    NEW = "new", "Nouvelle certification"


class SortOrder(models.TextChoices):
    RELEVANCE = "pertinence", "Pertinence"
    TITLE = "intitule", "Intitulé (A → Z)"
    NUMBER = "numero", "Numéro"
    RECENT = "recent", "Enregistrement le plus récent"
    LEVEL = "niveau", "Niveau"


ROME_FAMILIES = {
    "A": "Agriculture et pêche, espaces naturels et espaces verts, soins aux animaux",
    "B": "Arts et façonnage d’ouvrages d’art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente et grande distribution",
    "E": "Communication, média et multimédia",
    "F": "Construction, bâtiment et travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs et animation",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l’entreprise",
    "N": "Transport et logistique",
}

NSF_DOMAINS = {
    "10": "Formations générales",
    "11": "Mathématiques et sciences",
    "12": "Sciences humaines et droit",
    "13": "Lettres et arts",
    "20": "Spécialités pluritechnologiques de production",
    "21": "Agriculture, pêche, forêt et espaces verts",
    "22": "Transformations",
    "23": "Génie civil, construction et bois",
    "24": "Matériaux souples",
    "25": "Mécanique, électricité, électronique",
    "30": "Spécialités plurivalentes des services",
    "31": "Échanges et gestion",
    "32": "Communication et information",
    "33": "Services aux personnes",
    "34": "Services à la collectivité",
    "41": "Capacités individuelles et sociales",
    "42": "Activités quotidiennes et de loisirs",
}
