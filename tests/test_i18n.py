"""The message catalogue: every language complete, placeholders intact, a new language by files only."""

from __future__ import annotations

import re

import pytest

from quiz import i18n, settings


@pytest.fixture(autouse=True)
def _fresh_catalogues():
    i18n.reload()
    yield
    i18n.reload()


def test_every_message_has_danish_and_english_with_the_same_placeholders():
    tables = i18n.tables()
    da, en = tables["da"], tables["en"]
    assert set(da) == set(en), {"only in da": sorted(set(da) - set(en)), "only in en": sorted(set(en) - set(da))}
    wrong = {k for k in da if i18n.placeholders(da[k]) != i18n.placeholders(en[k])}
    assert not wrong, sorted(wrong)


def test_english_is_a_translation_not_a_copy_of_the_danish():
    da, en = i18n.tables()["da"], i18n.tables()["en"]
    # Messages that are only placeholders and punctuation ("{title}: {role}") may be the same.
    words = {k: re.sub(r"\{\w+\}", "", da[k]).strip() for k in da}
    same = [k for k in da if da[k] == en[k] and len(words[k]) > 12 and " " in words[k]]
    assert not same, same


def test_lookup_follows_the_chosen_language_and_falls_back_to_danish(monkeypatch):
    assert i18n.t("language.name") == "Dansk"
    with i18n.use_language("en"):
        assert i18n.t("language.name") == "English"
        assert i18n.messages("language")["name"] == "English"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.best_language("en-GB") == "en"
    assert i18n.best_language("fr-FR") == "da"


def test_a_translator_adds_a_third_language_with_catalogue_files_only(tmp_path, monkeypatch):
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "core.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "language.name"\nmsgstr "Ekse"\n\n'
        'msgid "settings.invalid"\nmsgstr "XX {name}: {problem}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("QUIZ_LOCALE_DIR", str(tmp_path))
    i18n.reload()
    assert i18n.languages()["xx"] == "Ekse"
    assert i18n.t("settings.invalid", lang="xx", name="A", problem="b") == "XX A: b"
    # a message the new language lacks is shown in Danish, never as a crash
    assert i18n.t("settings.bool", lang="xx") == i18n.t("settings.bool", lang="da")


def test_compiled_catalogues_give_the_same_text_as_the_po_files(tmp_path):
    po_text = i18n.tables()
    written = i18n.compile_catalogues()
    assert written and all(p.suffix == ".mo" for p in written)
    assert i18n.tables() == po_text


def test_a_bad_setting_names_the_variable_in_the_persons_language():
    with pytest.raises(settings.SettingsError) as caught:
        settings.load({"QUIZ_TRUSTED_PROXIES": "10.0.0.1, nonsense"})
    assert "QUIZ_TRUSTED_PROXIES" in str(caught.value) and "nonsense" in str(caught.value)
    with i18n.use_language("en"):
        assert "is not an IP address" in str(caught.value)
    with pytest.raises(settings.SettingsError, match="true eller false"):
        settings.load({"QUIZ_SELF_SIGNUP": "måske"})
    ok = settings.load({"QUIZ_SELF_SIGNUP": "false", "QUIZ_TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/8"})
    assert ok.self_signup is False and len(ok.trusted_proxies) == 2


def test_what_is_made_once_per_language_follows_the_language_and_a_reload():
    made = []

    @i18n.per_language
    def heading() -> dict:
        made.append(i18n.current_language())
        return {"label": i18n.t("language.name")}

    assert heading() == {"label": "Dansk"} and heading() is heading(), "made once, then shared"
    with i18n.use_language("en"):
        assert heading() == {"label": "English"}
    assert heading() == {"label": "Dansk"} and made == ["da", "en"]
    i18n.reload()  # a translator's edit: made again on the next look-up
    assert heading() == {"label": "Dansk"} and made == ["da", "en", "da"]
