"""The demo's reference population: deterministic synthetic people, with NIRs."""

from opencertif.core.text import identity_key
from opencertif.people.models import Person

FIRST_NAMES = (
    ("Camille", "F"),
    ("Léa", "F"),
    ("Manon", "F"),
    ("Chloé", "F"),
    ("Inès", "F"),
    ("Sarah", "F"),
    ("Jade", "F"),
    ("Louise", "F"),
    ("Emma", "F"),
    ("Zoé", "F"),
    ("Lucas", "M"),
    ("Hugo", "M"),
    ("Nathan", "M"),
    ("Théo", "M"),
    ("Mathis", "M"),
    ("Enzo", "M"),
    ("Louis", "M"),
    ("Yanis", "M"),
    ("Noah", "M"),
    ("Jules", "M"),
)
BIRTH_NAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèbvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "N'Diaye",
    "Le Goff",
)
TOWNS = ("75056", "69123", "13055", "31555", "33063", "59350", "44109", "67482", "35238")


def demo_people(count: int = 200):
    """Deterministic synthetic people (reference population of the demo)."""
    for index in range(count):
        first, sex = FIRST_NAMES[index % len(FIRST_NAMES)]
        birth_name = BIRTH_NAMES[(index * 7) % len(BIRTH_NAMES)]
        year = 1960 + (index * 13) % 45
        month = 1 + (index * 5) % 12
        day = 1 + (index * 11) % 28
        insee = TOWNS[index % len(TOWNS)]
        department = "2A" if insee.startswith("2A") else insee[:2]
        sex_digit = 1 if sex == "M" else 2
        nir = f"{sex_digit}{year % 100:02d}{month:02d}{department}{insee[2:]}{index % 1000:03d}"
        yield {
            "nir": nir,
            "birth_name": birth_name,
            "first_name1": first,
            "sex": sex,
            "birth_year": year,
            "birth_month": month,
            "birth_day": day,
            "birth_insee": insee,
        }


def seed_people() -> None:
    """Load the demo people (once: a second call changes nothing)."""
    if Person.objects.filter(nir__in=[p["nir"] for p in demo_people(3)]).count() == 3:
        return
    Person.objects.bulk_create(
        [
            Person(
                **person,
                birth_name_key=identity_key(person["birth_name"]),
                first_name_key=identity_key(person["first_name1"]),
                row_digest=person["nir"],
            )
            for person in demo_people()
        ],
        ignore_conflicts=True,
    )
