"""pseudonymisation.blas: one OpenBLAS thread inside the block, the caller's setting after it,
and the French model (``statistical_ner``) on numpy's ops where that is possible."""

from __future__ import annotations

import pytest

from pseudonymisation import blas
from pseudonymisation.engine import SPACY_MODELS, HavenNlpEngine, get_engine

needs_openblas = pytest.mark.skipif(
    not blas.can_limit_blas_threads(), reason="numpy here has no OpenBLAS with a per-thread setting"
)


@needs_openblas
def test_one_blas_thread_holds_one_thread_and_restores_the_setting() -> None:
    lib = blas._openblas()
    assert lib is not None
    setter = lib.openblas_set_num_threads_local
    before = setter(3)  # the setter returns the previous value: read it, then put it back
    setter(before)
    with blas.one_blas_thread():
        inside = setter(1)
    after = setter(before)
    assert (inside, after) == (1, before)


@needs_openblas
def test_the_french_model_uses_numpy_ops_without_blis() -> None:
    # The model is loaded only with statistical_ner (Engine(statistical_ner=True)).
    nlp_engine = HavenNlpEngine(models=SPACY_MODELS)
    nlp_engine.load()
    ops = nlp_engine.nlp["fr"].get_pipe("ner").model.ops
    assert (type(ops).__name__, getattr(ops, "use_blis", None)) == ("NumpyOps", False)


def test_the_default_engine_loads_no_statistical_model() -> None:
    engine = get_engine()
    assert engine.nlp_engine.statistical_models == {}
    assert not engine.nlp_engine.nlp["fr"].pipe_names
