"""The language setting and message catalogues of d2l_opt.i18n."""

import pytest

from d2l_opt import i18n

CATALOGUE = {"steps": {"en": "{n} steps", "ko": "{n}스텝"}, "only_en": {"en": "x"}}


@pytest.fixture(autouse=True)
def _reset_language(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    yield
    i18n.set_language(None)


def test_default_is_english_and_environment_and_setting_take_precedence(monkeypatch):
    assert i18n.get_language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "ko")
    assert i18n.get_language() == "ko"
    assert i18n.message(CATALOGUE, "steps", n=3) == "3스텝"
    i18n.set_language("en")
    assert i18n.message(CATALOGUE, "steps", n=3) == "3 steps"


def test_bad_input_is_refused_with_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.set_language("fr")
    monkeypatch.setenv(i18n.ENV_VAR, "xx")
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.get_language()
    with pytest.raises(KeyError, match="no message 'nope'"):
        i18n.message(CATALOGUE, "nope", lang="en")
    with pytest.raises(KeyError, match="has no 'ko' text"):
        i18n.message(CATALOGUE, "only_en", lang="ko")


def test_missing_translations_are_listed():
    assert i18n.missing_translations(CATALOGUE) == ["only_en:ko"]


def test_catalogue_files_load_as_written_and_refuse_a_text_without_every_language(tmp_path):
    good = tmp_path / "good.json"
    good.write_text('{"fig": {"steps": {"en": "{n} steps", "ko": "{n}스텝"}}}', encoding="utf-8")
    table = i18n.load_catalogues(good)["fig"]
    assert i18n.message(table, "steps", lang="ko", n=3) == "3스텝"
    for texts in ('{"en": "only English"}', '{"en": "a", "ko": "b", "fr": "c"}', '"bare"'):
        bad = tmp_path / "bad.json"
        bad.write_text('{"fig": {"steps": ' + texts + "}}", encoding="utf-8")
        with pytest.raises(ValueError, match=r"bad\.json: message fig\.steps .*en, ko"):
            i18n.load_catalogues(bad)
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="expected an object of catalogues"):
        i18n.load_catalogues(tmp_path / "list.json")


def test_the_packaged_catalogues_have_every_language():
    from d2l_opt.grading import messages as grading
    from d2l_opt.widgets import messages as figures

    for table in (grading.MISTAKES, grading.MESSAGES, grading.HINTS, figures.MESSAGES):
        assert table and i18n.missing_translations(table) == []
