"""Configuration: defaults, the lookup order (argument > env > TOML > default), and refusals.

The autouse fixture in conftest.py points ASSISTANT_CONFIG at ``tmp_path / "assistant.toml"``
(absent until a test writes it) and removes every other ASSISTANT_* variable, so each test
starts from the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant import ConfigurationError, Settings, load_settings
from assistant.embeddings import resolve_model_path


def _write_toml(text: str) -> Path:
    path = Path(os.environ["ASSISTANT_CONFIG"])
    path.write_text(text, encoding="utf-8")
    return path


# -- defaults -----------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = load_settings()
    assert settings.top_k == 5
    assert settings.retrieval_mode == "hybrid"
    assert settings.host == "127.0.0.1"
    assert settings.port == 7860
    assert settings.collection == "analyst_corpus"
    assert settings.embedding_model == "packaged:all-MiniLM-L6-v2"
    assert settings.answer_backend == "extractive"
    assert settings.auth is None


def test_conftest_env_isolation_applies(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.store_dir == tmp_path / "store"
    assert settings.corpus_dir == tmp_path / "corpus"


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.top_k = 9  # type: ignore[misc]
    assert settings.top_k == 5


# -- lookup order -------------------------------------------------------------------------------


def test_toml_file_alone_applies() -> None:
    _write_toml('top_k = 3\nretrieval_mode = "lexical"\nport = 9001\n')
    settings = load_settings()
    assert settings.top_k == 3
    assert settings.retrieval_mode == "lexical"
    assert settings.port == 9001
    assert settings.host == "127.0.0.1"  # untouched keys keep their defaults


def test_env_var_wins_over_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    _write_toml("top_k = 3\nport = 9001\n")
    monkeypatch.setenv("ASSISTANT_TOP_K", "7")
    settings = load_settings()
    assert settings.top_k == 7
    assert settings.port == 9001  # the file still supplies what the environment does not


def test_explicit_argument_beats_env_and_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    _write_toml("top_k = 3\n")
    monkeypatch.setenv("ASSISTANT_TOP_K", "7")
    assert load_settings(top_k=9).top_k == 9
    assert Settings(top_k=11).top_k == 11


def test_none_override_falls_through_to_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI passes unset options as None; they must not mask the environment.
    monkeypatch.setenv("ASSISTANT_TOP_K", "7")
    assert load_settings(top_k=None).top_k == 7


def test_config_path_is_read_at_construction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text("top_k = 4\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(other))
    assert load_settings().top_k == 4


# -- refusals -----------------------------------------------------------------------------------


def test_unknown_toml_key_is_rejected_by_name() -> None:
    path = _write_toml("tpo_k = 3\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    message = str(info.value)
    assert "tpo_k" in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("ASSISTANT_TOP_K", "0", "top_k"),
        ("ASSISTANT_TOP_K", "51", "top_k"),
        ("ASSISTANT_TOP_K", "many", "top_k"),
        ("ASSISTANT_RETRIEVAL_MODE", "fuzzy", "retrieval_mode"),
        ("ASSISTANT_COLLECTION", "ab", "collection"),
        ("ASSISTANT_COLLECTION", "bad name!", "collection"),
        ("ASSISTANT_PORT", "70000", "port"),
        ("ASSISTANT_AUTH", "adminsecret", "auth"),
    ],
)
def test_invalid_env_value_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert field in str(info.value)


def test_invalid_argument_values_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="collection"):
        load_settings(collection="ab")
    with pytest.raises(ConfigurationError, match="retrieval_mode"):
        load_settings(retrieval_mode="fuzzy")
    with pytest.raises(ConfigurationError, match="top_k"):
        load_settings(top_k=0)


def test_invalid_toml_value_is_a_configuration_error() -> None:
    _write_toml('retrieval_mode = "fuzzy"\n')
    with pytest.raises(ConfigurationError, match="retrieval_mode"):
        load_settings()


def test_auth_requires_user_and_password(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="user:password"):
        load_settings(auth="admin")
    monkeypatch.setenv("ASSISTANT_AUTH", "admin:s3cret")
    assert load_settings().auth == "admin:s3cret"


def test_malformed_toml_is_a_configuration_error() -> None:
    path = _write_toml("top_k = \n")
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert str(path) in str(info.value)


# -- embedding model resolution -----------------------------------------------------------------


def test_unknown_model_folder_names_the_setting(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ConfigurationError) as info:
        resolve_model_path(str(missing))
    assert "ASSISTANT_EMBEDDING_MODEL" in str(info.value)
    assert str(missing) in str(info.value)


def test_folder_without_model_files_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "empty-model"
    folder.mkdir()
    (folder / "README.md").write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDING_MODEL"):
        resolve_model_path(str(folder))


def test_unknown_packaged_model_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="no packaged model named 'bert-large'"):
        resolve_model_path("packaged:bert-large")


def test_packaged_model_resolves_to_a_model_folder() -> None:
    path = resolve_model_path(load_settings().embedding_model)
    assert path.is_dir()
    assert (path / "modules.json").is_file()
    # the packaged name is matched case-insensitively
    assert resolve_model_path("packaged:ALL-MINILM-L6-V2") == path


def test_local_model_folder_is_accepted_as_is() -> None:
    packaged = resolve_model_path("packaged:all-MiniLM-L6-v2")
    assert resolve_model_path(str(packaged)) == packaged


def test_importing_the_package_leaves_the_environment_alone() -> None:
    import subprocess
    import sys

    from assistant.config import OFFLINE_ENVIRONMENT

    code = ("import os, assistant, assistant.service, assistant.cli\n"
            "from assistant.config import OFFLINE_ENVIRONMENT, use_offline_environment\n"
            "print(sorted(k for k in OFFLINE_ENVIRONMENT if k in os.environ))\n"
            "use_offline_environment()\n"
            "print(sorted(k for k in OFFLINE_ENVIRONMENT if k in os.environ))\n")
    clean = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENVIRONMENT}
    out = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True)
    before, after = out.stdout.strip().splitlines()
    assert before == "[]", "importing assistant must not write environment variables"
    assert after == str(sorted(OFFLINE_ENVIRONMENT))


def test_revised_settings_are_validated_and_read_nothing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.config import revise_settings

    settings = load_settings(chroma_host="db.internal")
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "from-the-environment")
    local = revise_settings(settings, chroma_host=None, top_k=9)
    assert local.chroma_host is None and local.top_k == 9, "None means None; the environment is not re-read"
    with pytest.raises(ConfigurationError, match="top_k"):
        revise_settings(settings, top_k=0)


def test_choices_and_bounds_come_from_the_settings_types() -> None:
    from typing import get_args

    from assistant.config import ANSWER_BACKENDS, RETRIEVAL_MODES, AnswerBackend, RetrievalMode, upper_bound

    assert RETRIEVAL_MODES == get_args(RetrievalMode) and ANSWER_BACKENDS == get_args(AnswerBackend)
    assert upper_bound("top_k") == 50
    with pytest.raises(ValidationError):
        Settings(top_k=int(upper_bound("top_k")) + 1)
    assert load_settings().available_backends == ("extractive",)
    assert load_settings(llm_provider="ollama", llm_model="m").available_backends == ("extractive", "llm")


def test_serve_honours_assistant_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import Assistant
    from assistant.cli import api_port

    assert api_port(Assistant()) == 8000, "the API alone keeps off the UI's default port"
    monkeypatch.setenv("ASSISTANT_PORT", "9123")
    assert api_port(Assistant()) == 9123


def _documented_settings() -> set[str]:
    """Setting names the README's configuration table names: `ASSISTANT_X`, or `_Y` after an
    `ASSISTANT_<WORD>_...` in the same row for a setting that starts with the same word."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration"):]
    section = section[: section.index("\n## ", 1)]
    found: set[str] = set()
    for row in (line for line in section.splitlines() if line.startswith("| `")):
        first = row.split("|")[1]
        full = re.findall(r"`ASSISTANT_([A-Z0-9_]+)`", first)
        found.update(name.lower() for name in full)
        for tail in re.findall(r"`_([A-Z0-9_]+)`", first):
            found.update(f"{name.split('_')[0]}_{tail}".lower() for name in full)
    return found


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    missing = sorted(set(Settings.model_fields) - _documented_settings())
    assert not missing, f"add these settings to the README's configuration table: {missing}"
