"""Forms per kind: a posted form becomes an entry; unreadable fields are named; untouched fields are kept."""

from bot.staff import forms


def _form(kind, entry, **posted):
    values = {f.name: forms.show(f, entry.get(f.name)) for f in forms.fields(kind)}
    return {k: v for k, v in {**values, **posted}.items() if v != "" or k in posted}


def test_round_trip_of_every_shipped_entry_keeps_it_unchanged(kb):
    for entry in kb.entries():
        stored = {k: v for k, v in entry.items() if not k.startswith("_")}
        values = {f.name: forms.show(f, entry.get(f.name)) for f in forms.fields(entry["kind"])}
        read, errors = forms.read(entry["kind"], values, entry)
        assert {} == errors, entry["id"]
        assert stored == read, entry["id"]


def test_amounts_accept_separators_and_refuse_words(kb):
    fee = kb.get("fee_thuong_tru_tt75")
    read, errors = forms.read("fee", _form("fee", fee, in_person="25.000"), fee)
    assert 25000 == read["in_person"] and {} == errors
    _, errors = forms.read("fee", _form("fee", fee, in_person="hai mươi nghìn"), fee)
    assert "in_person" in errors


def test_lists_steps_and_yaml_fields(kb):
    faq = next(e for e in kb.entries("faq") if e.get("steps"))
    posted = _form("faq", faq, questions="câu một\n\n câu hai ", steps="Bước một | CCCD\nBước hai")
    read, errors = forms.read("faq", posted, faq)
    assert ["câu một", "câu hai"] == read["questions"]
    assert [{"text": "Bước một", "need": "CCCD"}, {"text": "Bước hai"}] == read["steps"]
    service = kb.get("thuong_tru")
    _, errors = forms.read("service", _form("service", service, who="answer: [unclosed"), service)
    assert "who" in errors


def test_a_cleared_field_is_removed_so_the_schema_names_it(kb):
    fee = kb.get("fee_thuong_tru_tt75")
    read, _ = forms.read("fee", _form("fee", fee, source=""), fee)
    assert "source" not in read
    assert "source" == forms.field_of("source") and "faq" == forms.field_of("faq[2].answer")
