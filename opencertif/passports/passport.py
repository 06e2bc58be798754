"""Reading a holder's passport: their guaranteed certifications (the OK passages of the
person they were matched with, read from the passages at every request, never copied),
the competences those certifications attest, and what they open (jobs, bridges).

Every query is bounded by the holder's own rows (the `passage_person_status` index) and
their number does not grow with the platform's volume nor with the holder's passages."""

import dataclasses
import datetime
import re

from django.db.models import Q

from opencertif.core.text import fold
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary
from opencertif.deposits.models import Passage
from opencertif.passports.models import Holder
from opencertif.registry.enums import LinkKind, Register
from opencertif.registry.models import Block, Certification, CertificationLink, RomeCode

# How many bridges « Mon avenir » proposes at most.
BRIDGES_SHOWN = 20
_HONOURS = dict(vocabulary.HONOURS)
_BULLET = re.compile(r"^\s*(?:[-–—•·*▪]|\d+[.)])\s*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]{4,}")


@dataclasses.dataclass(frozen=True)
class GuaranteedEntry:
    """A certification obtained: one OK passage, as the passport shows it."""

    passage_id: int
    certification_id: int | None
    number: str
    title: str
    register: str
    level: str
    level_label: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    mention: str
    certifier: str
    certifier_id: int
    content_hash: str


@dataclasses.dataclass(frozen=True)
class BlockEntry:
    code: str
    label: str
    competences: list[str]


@dataclasses.dataclass(frozen=True)
class CertificationBlocks:
    """The blocks of competences of one held RNCP certification."""

    number: str
    title: str
    blocks: list[BlockEntry]


@dataclasses.dataclass(frozen=True)
class Job:
    code: str
    label: str
    through: list[str]  # numbers of the held certifications that lead to it


@dataclasses.dataclass(frozen=True)
class Bridge:
    """Another active certification sharing blocks with held ones."""

    number: str
    title: str
    level_label: str
    shared_blocks: list[str]
    # The registry's official correspondence (old and new versions of a fiche, from the
    # export), e.g. "Nouvelle version de RNCP12345"; empty for a bridge by block labels.
    official: str = ""


@dataclasses.dataclass(frozen=True)
class Future:
    jobs: list[Job]
    bridges: list[Bridge]


def mention_label(fields: dict) -> str:
    """The French label of a passage's honours (« Mention bien »); empty when none."""
    return _HONOURS.get(str((fields or {}).get("honours") or ""), "")


def guaranteed_passages(holder: Holder):
    """The holder's OK passages (none when the holder is matched with nobody), as a
    queryset: what a CV may select."""
    if holder.person_id is None:
        return Passage.objects.none()
    return Passage.objects.filter(person_id=holder.person_id, status=PassageStatus.OK)


# What a card shows, read as plain values: no model (and none of a fiche's long texts) is
# loaded for it.
_ENTRY_COLUMNS = (
    "pk",
    "certification_id",
    "certification__number",
    "certification__title",
    "certification__register",
    "certification__level",
    "certification_code",
    "certification_type",
    "valid_from",
    "valid_until",
    "fields__honours",
    "certifier__organisation__name",
    "certifier__organisation_id",
    "content_hash",
)


def _entry(row: tuple) -> GuaranteedEntry:
    (
        pk,
        certification_id,
        number,
        title,
        register,
        level,
        code,
        kind,
        valid_from,
        valid_until,
        honours,
        certifier,
        certifier_id,
        content_hash,
    ) = row
    if certification_id is None:
        number, title, register, level, level_label = code, code, kind.lower(), "", ""
    else:
        level_label = Certification(register=register, level=level).level_label
    return GuaranteedEntry(
        passage_id=pk,
        certification_id=certification_id,
        number=number,
        title=title,
        register=register,
        level=level,
        level_label=level_label,
        valid_from=valid_from,
        valid_until=valid_until,
        mention=_HONOURS.get(str(honours or ""), ""),
        certifier=certifier,
        certifier_id=certifier_id,
        content_hash=content_hash,
    )


def guaranteed(holder: Holder, *, passage_ids=None) -> list[GuaranteedEntry]:
    """The holder's certifications obtained (OK passages), newest first, read from
    today's data: a passage modified or deleted changes this at once. `passage_ids`
    narrows to a selection (a CV's); ids that are not the holder's OK passages are
    silently left out. One query."""
    passages = guaranteed_passages(holder)
    if passage_ids is not None:
        passages = passages.filter(pk__in=list(passage_ids))
    rows = passages.order_by("-valid_from", "-pk").values_list(*_ENTRY_COLUMNS)
    return [_entry(row) for row in rows]


def _held_certification_ids(holder: Holder) -> list[int]:
    return sorted(
        {
            pk
            for pk in guaranteed_passages(holder).values_list("certification_id", flat=True)
            if pk is not None
        }
    )


def split_competences(text: str) -> list[str]:
    """A block's list of competences, one per line, bullets and blanks away."""
    lines = (_BULLET.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def competences(holder: Holder) -> list[CertificationBlocks]:
    """The blocks of competences of the holder's RNCP certifications, grouped by
    certification, each with its competences."""
    held = _held_certification_ids(holder)
    if not held:
        return []
    certifications = Certification.objects.filter(
        pk__in=held, register=Register.RNCP
    ).prefetch_related("blocks")
    return [
        CertificationBlocks(
            number=certification.number,
            title=certification.title,
            blocks=[
                BlockEntry(
                    code=block.code,
                    label=block.label,
                    competences=split_competences(block.competences),
                )
                for block in certification.blocks.all()
            ],
        )
        for certification in certifications.order_by("number")
    ]


def _label_prefilter(labels: list[str]) -> Q:
    """A SQL condition that every block whose folded label equals one of `labels`' folded
    labels meets: one long ASCII word of each label (accents and case aside, the folded
    form still contains it), or the label itself when it has none. Python then compares
    the folded labels exactly."""
    condition = Q(pk__in=[])
    for label in labels:
        words = sorted(_ASCII_WORD.findall(label), key=len, reverse=True)
        condition |= Q(label__icontains=words[0]) if words else Q(label=label)
    return condition


def future(holder: Holder) -> Future:
    """What the holder's certifications open: the jobs (ROME codes) they lead to, and the
    other active certifications close to them (bridges): first the official
    correspondences of the registry's export (the old and new versions of a held fiche,
    `CertificationLink`), then those sharing blocks of identical label (folded: case,
    accents and punctuation aside). The export carries no block-to-block correspondence."""
    held = _held_certification_ids(holder)
    if not held:
        return Future(jobs=[], bridges=[])
    through: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for code, label, number in (
        RomeCode.objects.filter(certifications__in=held)
        .values_list("code", "label", "certifications__number")
        .order_by("code", "certifications__number")
    ):
        labels[code] = label
        through.setdefault(code, []).append(number)
    jobs = [Job(code=code, label=labels[code], through=through[code]) for code in sorted(through)]

    official = _official_bridges(held)
    held_labels = list(
        Block.objects.filter(certification_id__in=held).values_list("label", flat=True)
    )
    wanted = {fold(label): label for label in held_labels if fold(label)}
    if not wanted:
        return Future(jobs=jobs, bridges=official[:BRIDGES_SHOWN])
    candidates = (
        Block.objects.filter(_label_prefilter(list(wanted.values())))
        .filter(certification__is_active=True)
        .exclude(certification_id__in=held)
        .values_list(
            "certification_id",
            "certification__number",
            "certification__title",
            "certification__register",
            "certification__level",
            "label",
        )
    )
    found: dict[int, dict] = {}
    for pk, number, title, register, level, label in candidates:
        key = fold(label)
        if key not in wanted:
            continue
        entry = found.setdefault(
            pk,
            {
                "number": number,
                "title": title,
                "level_label": Certification(register=register, level=level).level_label,
                "shared": [],
            },
        )
        if wanted[key] not in entry["shared"]:
            entry["shared"].append(wanted[key])
    ranked = sorted(found.values(), key=lambda e: (-len(e["shared"]), e["number"]))
    by_label = [
        Bridge(
            number=e["number"],
            title=e["title"],
            level_label=e["level_label"],
            shared_blocks=e["shared"],
        )
        for e in ranked
    ]
    already = {bridge.number for bridge in official}
    bridges = official + [bridge for bridge in by_label if bridge.number not in already]
    return Future(jobs=jobs, bridges=bridges[:BRIDGES_SHOWN])


_VERSION_WORDS = {LinkKind.NEW: "Nouvelle version de", LinkKind.OLD: "Ancienne version de"}


def _official_bridges(held: list[int]) -> list[Bridge]:
    """The active fiches that the export names as another version of a held one."""
    links = CertificationLink.objects.filter(certification_id__in=held).values_list(
        "certification__number", "kind", "other_number"
    )
    reasons: dict[str, str] = {}
    for number, kind, other in links:
        # The link says what `other` is to the held fiche: its new or its old version.
        reasons.setdefault(other, f"{_VERSION_WORDS.get(kind, 'Correspondance de')} {number}")
    if not reasons:
        return []
    found = (
        Certification.objects.filter(number__in=list(reasons), is_active=True)
        .exclude(pk__in=held)
        .only("number", "title", "register", "level")
        .order_by("number")
    )
    return [
        Bridge(
            number=certification.number,
            title=certification.title,
            level_label=certification.level_label,
            shared_blocks=[],
            official=reasons[certification.number],
        )
        for certification in found
    ]
