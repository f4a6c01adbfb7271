"""Sentence embeddings from the WordLlama model shipped inside its PyPI package.

The model is a static token-embedding table (256 dimensions, 16 MB): embedding a short
statement costs tens of microseconds on one core, so an app server can embed a whole
claims table at start-up and every changed claim as it syncs.
"""

from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSIONS = 256
# The published model name and dimension; changing either invalidates every stored vector.
MODEL = "wordllama l2_supercat 256"


@lru_cache(maxsize=1)
def model():
    # wordllama ships no type information.
    import wordllama  # type: ignore[import-untyped]
    from wordllama import WordLlama

    # The weights and tokenizer ship in the package. WordLlama looks for the tokenizer in
    # "<package>/tokenizer/", but the wheel has it in "<package>/tokenizers/", which is
    # where it looks inside a cache directory: point the cache at the package itself.
    package = Path(wordllama.__file__).parent
    return WordLlama.load(config="l2_supercat", dim=DIMENSIONS, cache_dir=package, disable_download=True)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity is a dot product)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(model().embed(texts, norm=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # A text made only of characters the tokenizer drops embeds to zero: leave it at zero.
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors
