"""One typed settings object, read from a TOML file and `ASSISTANT_*` environment variables.

Precedence: constructor arguments, then environment (`ASSISTANT_TOP_K=8`, nested with `__`:
`ASSISTANT_LLM__MODEL=qwen2.5`), then the settings file (`settings.toml`, or the file named by
`ASSISTANT_SETTINGS_FILE`), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

SETTINGS_FILE_ENV = "ASSISTANT_SETTINGS_FILE"

# Written by the fit command in AnswererSettings' docstring (all four development sets), run at commit b7ce14a.
FITTED_WEIGHTS = (5.2041, -10.5605, 0.669, 0.2404, 1.9449, 3.9525, -0.7404, 0.6313, 2.7628, -2.3429, 2.8943)
FITTED_BIAS = -6.6364
FITTED_ABSTAIN_BELOW = 0.7414


class EmbedderSettings(BaseModel):
    backend: Literal["e5", "sentence-transformers"] = "e5"
    model: str | None = Field(None, description="sentence-transformers model name or local path")


class StoreSettings(BaseModel):
    mode: Literal["embedded", "server"] = "embedded"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)


class LLMSettings(BaseModel):
    """Any OpenAI-compatible chat endpoint (Ollama, vLLM, DeepSeek, Qwen…); off by default."""

    enabled: bool = False
    api_base: str = "http://127.0.0.1:11434/v1"
    model: str = "qwen2.5:7b-instruct"
    api_key: SecretStr = SecretStr("not-needed")
    timeout_s: float = Field(60.0, gt=0)
    temperature: float = 0.0


class AnswererSettings(BaseModel):
    """How sentences are scored and when the assistant abstains.

    Fitted on the four development sets (tests/data/qa_shared.jsonl and qa_heldout.jsonl over the corpus,
    tests/data/dev_shapes, dev_fresh and dev_fresh2 over their own reports) by
    `python -m assistant fit tests/data/qa_shared.jsonl tests/data/qa_heldout.jsonl --with tests/data/dev_shapes/qa.jsonl tests/data/dev_shapes/reports --with tests/data/dev_fresh/qa.jsonl tests/data/dev_fresh/reports --with tests/data/dev_fresh2/qa.jsonl tests/data/dev_fresh2/reports --write`,
    which prints these values and writes them here; weights follow `assistant.answering.signals.SIGNALS`.
    """

    weights: tuple[float, ...] = FITTED_WEIGHTS
    bias: float = FITTED_BIAS
    abstain_below: float = Field(FITTED_ABSTAIN_BELOW, ge=0.0, le=1.0)


class ReadingSettings(BaseModel):
    """Limits on reading one file, which happens in a worker process (index.isolation)."""

    memory_mb: int = Field(3072, ge=256, description="address space a reading worker may use")
    timeout_s: float = Field(300.0, gt=0, description="wall time one file may take, OCR included")


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    auth: list[tuple[str, str]] = Field(default_factory=list, description="(user, password) pairs; required off loopback")
    max_upload_mb: int = Field(20, ge=1)


class Settings(BaseSettings):
    """Everything configurable, validated at start-up and passed in explicitly."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="forbid")

    corpus_dir: Path = Path("corpus")  # the shipped reports (tracked by git); the web page never writes here
    uploads_dir: Path = Path("data/uploads")  # reports uploaded through the web page
    index_dir: Path = Path(".index")
    chunk_tokens: int = Field(300, ge=32, le=2000)
    top_k: int = Field(5, ge=1, le=50)
    max_question_chars: int = Field(500, ge=10)
    embedder: EmbedderSettings = EmbedderSettings()
    store: StoreSettings = StoreSettings()
    llm: LLMSettings = LLMSettings()
    answerer: AnswererSettings = AnswererSettings()
    reading: ReadingSettings = ReadingSettings()
    ui: UISettings = UISettings()

    @model_validator(mode="after")
    def _sentence_transformers_needs_a_model(self) -> Settings:
        if self.embedder.backend == "sentence-transformers" and not self.embedder.model:
            raise ValueError("embedder.model must name a sentence-transformers model when embedder.backend is 'sentence-transformers'")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get(SETTINGS_FILE_ENV, "settings.toml"))
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and settings file; a settings file that was named must exist."""
    named = os.environ.get(SETTINGS_FILE_ENV)
    if named and not Path(named).is_file():
        from .errors import ConfigError

        raise ConfigError(f"{SETTINGS_FILE_ENV} names {named}, which is not a file. Fix the path or unset the variable.")
    return Settings(**overrides)
