import pytest
from django.core.management import call_command

from opencertif.core.models import AuditEntry
from opencertif.deposits import engine, reports
from opencertif.deposits.models import Deposit, Passage, PassageResult
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


def messages(deposit):
    return {r.id_technique: r.message for r in PassageResult.objects.filter(deposit=deposit)}


def test_a_good_file_attaches_each_passage_to_its_holder(deposit):
    camille = b.person()
    done = deposit(b.deposit_file([b.passage("P1")]))
    assert (done.state, done.ok_count, done.ko_count, done.passage_total) == ("done", 1, 0, 1)
    passage = Passage.objects.get(id_technique="P1")
    assert passage.status == "ok" and passage.person == camille
    assert passage.certification.number == "RNCP90001"
    # What the certifier sent is kept (to show and correct it), never more.
    assert passage.identity == b.holder()
    assert str(passage.valid_from) == "2025-06-20"
    assert passage.fields["honours"] == "MENTION_BIEN"
    assert list(done.transitions.values_list("target", flat=True)) == [
        "validating",
        "processing",
        "done",
    ]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"code": "RNCP99999"}, "inconnue du répertoire"),
        ({"code": "RS90001"}, "inconnue du répertoire"),  # RNCP type, RS code
        ({"certification_type": "Diplôme Universitaire"}, "n'est pas pris en charge"),
    ],
)
def test_unknown_certification_or_type_is_ko(deposit, kwargs, expected):
    b.person()
    done = deposit(b.deposit_file([b.passage("P1")], **kwargs))
    assert expected in messages(done)["P1"]
    assert Passage.objects.get().ko_reason == "certification"


def test_a_certifier_can_only_deposit_for_its_fiches(deposit):
    from tests.registry.factories import create, fiche

    b.person()
    create(fiche("RNCP123456", certifiers=(("11004301500012", "MINISTERE"),)))
    done = deposit(b.deposit_file([b.passage("P1")], code="RNCP123456"))
    assert "n'est pas certificateur de la fiche RNCP123456" in messages(done)["P1"]
    assert Passage.objects.get().ko_reason == "certification"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"exam_start": "2025-06-05", "exam_end": "2025-06-01"}, "date de fin d'examen"),
        ({"valid_until": "2025-01-01"}, "inférieure à date de début de validité"),
        ({"exam_start": "2025-07-01", "exam_end": "2025-07-02"}, "ne peut pas commencer après"),
        (
            {"valid_from": "2019-06-20", "exam_start": None, "exam_end": None},
            "précède l'enregistrement",
        ),
        (
            {"valid_from": "2031-06-20", "exam_start": None, "exam_end": None},
            "date limite de délivrance",
        ),
    ],
)
def test_incoherent_dates_are_ko(deposit, fields, expected):
    b.person()
    passage = b.passage("P1", **fields)
    passage["fields"] = {
        k: v for k, v in passage["fields"].items() if v is not None or k == "valid_until"
    }
    done = deposit(b.deposit_file([passage]))
    assert expected in messages(done)["P1"]


def test_data_required_by_the_dictionary_is_checked(deposit):
    b.person()
    passage = b.passage("P1")
    del passage["fields"]["obtained_by"]
    passage["fields"]["valid_from"] = None
    done = deposit(b.deposit_file([passage]))
    message = messages(done)["P1"]
    assert "obtentionCertification" in message and "dateDebutValidite" in message


def test_duplicate_id_technique_in_one_file(deposit):
    b.person()
    done = deposit(b.deposit_file([b.passage("P1"), b.passage("P1")]))
    assert (done.ok_count, done.ko_count) == (1, 1)
    assert "figure plusieurs fois" in PassageResult.objects.get(seq=1).message


def test_resending_a_passage_identically_or_differently(deposit):
    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    same = deposit(
        b.deposit_file(
            [b.passage("P1"), b.passage("P2")],
        ),
        name="second.xml",
    )
    assert (same.ok_count, same.unchanged_count, same.ko_count) == (1, 1, 0)
    changed = deposit(b.deposit_file([b.passage("P1", honours="MENTION_TRES_BIEN")]), name="c.xml")
    assert "existe déjà en base" in messages(changed)["P1"]
    assert "bcr émetteur DEMO0001" in messages(changed)["P1"]
    assert Passage.objects.get(id_technique="P1").fields["honours"] == "MENTION_BIEN"


def test_suppression_then_recreation(deposit):
    b.person()
    deposit(b.deposit_file([b.passage("P1"), b.passage("P2")]))
    removal = [
        {"id_technique": "P1", "fields": {}, "identity_kind": "holder", "identity": b.holder()},
        {"id_technique": "NOPE", "fields": {}, "identity_kind": "holder", "identity": b.holder()},
    ]
    done = deposit(b.deposit_file(removal, action="SUPPRESSION"), name="suppr.xml")
    assert (done.deleted_count, done.ko_count) == (1, 1)
    assert "rien à supprimer" in messages(done)["NOPE"]
    removed = Passage.objects.get(id_technique="P1")
    assert removed.status == "deleted" and removed.status_before_deletion == "ok"
    # The content stays, restorable for 30 days; the holder no longer sees it.
    assert removed.fields["honours"] == "MENTION_BIEN" and removed.deleted_at is not None
    assert f"dépôt n° {done.pk}" in removed.deletion_reason
    again = deposit(b.deposit_file([b.passage("P1")]), name="again.xml")
    assert again.ok_count == 1
    back = Passage.objects.get(id_technique="P1")
    assert back.status == "ok" and back.deleted_at is None and back.status_before_deletion == ""


def test_suppression_must_name_the_same_holder(deposit):
    b.person()
    b.person(birth_name="Durand", first_name="Léo", sex="M")
    deposit(b.deposit_file([b.passage("P1")]))
    removal = [
        {
            "id_technique": "P1",
            "fields": {},
            "identity_kind": "holder",
            "identity": b.holder(birth_name="Durand", first_name="Léo", sex="M"),
        }
    ]
    done = deposit(b.deposit_file(removal, action="SUPPRESSION"), name="suppr.xml")
    assert "ne correspond pas au passage à supprimer" in messages(done)["P1"]
    assert Passage.objects.get(id_technique="P1").status == "ok"


def test_identity_refusals_are_reexamined_when_the_population_changes(deposit, tmp_path):
    done = deposit(b.deposit_file([b.passage("LATE")]))
    assert done.ko_count == 1
    passage = Passage.objects.get()
    assert passage.ko_reason == "identity" and passage.identity["birth_name"] == "Martin"
    csv = tmp_path / "persons.csv"
    csv.write_text(
        "nir,nom_naissance,nom_usage,prenom1,prenom2,prenom3,sexe,annee_naissance,"
        "mois_naissance,jour_naissance,code_insee_naissance,code_postal_naissance,"
        "code_pays_naissance\n"
        ",MARTIN,,Camille,,,F,1990,5,12,75056,,\n",
        encoding="utf-8",
    )
    call_command("import_persons", str(csv), "--no-progress")
    passage.refresh_from_db()
    assert passage.status == "ok" and passage.person is not None
    event = passage.events.get()
    assert (event.kind, event.changes) == ("reexamined", {"status": ["ko", "ok"]})
    entry = AuditEntry.objects.get(action="passages.identified")
    assert entry.changes == {"ids": [passage.pk], "count": 1}


def test_reports_in_the_official_shape_csv_and_xlsx(deposit):
    from lxml import etree
    from openpyxl import load_workbook

    b.person()
    done = deposit(
        b.deposit_file(
            [b.passage("OK1"), b.passage("KO1", identity=b.holder(birth_name="Inconnu"))]
        )
    )
    xml = "".join(reports.xml_chunks(done)).encode()
    schema = etree.XMLSchema(etree.parse("opencertif/deposits/format/rapport.xsd"))
    tree = etree.fromstring(xml)
    assert schema.validate(tree), schema.error_log
    assert tree.findtext("PassagesKO/passage/idTechnique") == "KO1"
    assert [e.text for e in tree.findall("PassagesOK/idTechnique")] == ["OK1"]
    assert tree.findtext("idTraitement") == str(done.pk)
    csv_text = "".join(reports.csv_chunks(done))
    assert csv_text.startswith("\ufeffidTechnique;statut;message;titulaire;certification")
    assert "KO1;KO;Aucun titulaire" in csv_text and "Inconnu Camille" in csv_text
    handle = reports.xlsx_file(done)
    sheet = load_workbook(handle.name).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "idTechnique" and {r[0] for r in rows[1:]} == {"OK1", "KO1"}


def test_the_very_same_file_sent_again_is_processed_again_and_names_the_first(deposit):
    b.person()
    data = b.deposit_file([b.passage("P1")])
    first = deposit(data)
    again = deposit(data, name="copie.xml")
    assert again.same_file_as == first and again.state == "done"
    assert again.unchanged_count == 1 and PassageResult.objects.filter(deposit=again).count() == 1
    assert "<idTechnique>P1</idTechnique>" in "".join(reports.xml_chunks(again))


def test_a_file_rejected_before_the_identifiers_were_activated_is_accepted_once_they_are(
    deposit, demo
):
    from opencertif.deposits.models import DepositAccount

    b.person()
    data = b.deposit_file([b.passage("P1")])
    account = DepositAccount.objects.get(id_client="DEMO0001", role="certifier")
    activated_at = account.activated_at
    DepositAccount.objects.filter(pk=account.pk).update(activated_at=None)
    refused = deposit(data)
    assert refused.state == "rejected" and refused.errors[0]["type"] == "ACCROCHAGE"
    DepositAccount.objects.filter(pk=account.pk).update(activated_at=activated_at)
    again = deposit(data)
    assert again.state == "done" and again.ok_count == 1 and again.same_file_as == refused


def test_a_suppression_file_sent_again_reports_what_it_deletes_today(deposit):
    from opencertif.deposits import lifecycle

    b.person()
    deposit(b.deposit_file([b.passage("P1")]))
    removal = b.deposit_file([b.passage("P1")], action="SUPPRESSION")
    first = deposit(removal)
    assert first.deleted_count == 1
    lifecycle.restore(Passage.objects.get(), actor_label="test")
    again = deposit(removal)
    assert again.deleted_count == 1 and Passage.objects.get().status == "deleted"
    third = deposit(removal)
    assert (third.deleted_count, third.ko_count) == (0, 1)  # nothing left to delete


def test_a_run_killed_midway_resumes_to_the_same_rows(deposit, demo, monkeypatch):
    import io

    b.person()
    data = b.deposit_file([b.passage(f"P{i}") for i in range(7)])
    monkeypatch.setattr(engine, "BATCH", 3)
    received = engine.receive(
        organisation=demo["university"],
        user=None,
        channel="cli",
        name="long.xml",
        stream=io.BytesIO(data),
    )
    calls = {"n": 0}
    original = engine._handle_batch

    def dying(run, batch, start):
        original(run, batch, start)
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")

    monkeypatch.setattr(engine, "_handle_batch", dying)
    with pytest.raises(SystemExit):
        engine.process(received.pk)
    received.refresh_from_db()
    assert received.state == "processing" and received.processed == 6
    monkeypatch.setattr(engine, "_handle_batch", original)
    engine.process(received.pk)
    received.refresh_from_db()
    assert (received.state, received.processed, received.ok_count) == ("done", 7, 7)
    assert PassageResult.objects.filter(deposit=received).count() == 7
    assert Passage.objects.count() == 7
    engine.process(received.pk)  # a second run changes nothing
    assert PassageResult.objects.filter(deposit=received).count() == 7


def test_a_third_party_deposits_for_the_certifier_that_delegated(deposit, demo):
    b.person()
    done = deposit(
        b.deposit_file([b.passage("P1")], emitter="DEMO0002"), organisation=demo["third_party"]
    )
    assert done.state == "done" and done.ok_count == 1
    assert (
        Deposit.objects.visible_to(demo["university"].memberships.get().user)
        .filter(pk=done.pk)
        .exists()
    )


def test_deposits_left_by_a_dead_worker_are_found_for_resumption(demo):
    import datetime

    from django.utils import timezone

    old = timezone.now() - datetime.timedelta(minutes=10)
    stuck = Deposit.objects.create(
        organisation=demo["university"],
        channel="web",
        file_name="a.xml",
        size=1,
        sha256="1",
        state="processing",
        heartbeat_at=old,
    )
    busy = Deposit.objects.create(
        organisation=demo["university"],
        channel="web",
        file_name="b.xml",
        size=1,
        sha256="2",
        state="processing",
        heartbeat_at=timezone.now(),
    )
    Deposit.objects.create(
        organisation=demo["university"],
        channel="web",
        file_name="c.xml",
        size=1,
        sha256="3",
        state="done",
    )
    found = set(engine.stalled().values_list("pk", flat=True))
    assert stuck.pk in found and busy.pk not in found and len(found) == 1


def test_a_failed_deposit_can_be_retried_and_finishes(deposit, demo, monkeypatch):
    b.person()
    data = b.deposit_file([b.passage("P1")])

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(engine, "_handle_batch", broken)
    import io

    received = engine.receive(
        organisation=demo["university"],
        user=None,
        channel="cli",
        name="f.xml",
        stream=io.BytesIO(data),
    )
    with pytest.raises(RuntimeError):
        engine.process(received.pk)
    received.refresh_from_db()
    assert received.state == "failed" and "disque plein" in received.failure
    monkeypatch.undo()
    engine.retry(deposit=received, by=None)
    engine.process(received.pk)
    received.refresh_from_db()
    assert received.state == "done" and received.ok_count == 1
