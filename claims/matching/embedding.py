"""Sentence embeddings from the WordLlama model shipped inside its PyPI package.

The model is a static token-embedding table (256 dimensions, 16 MB): a statement's
vector is a weighted mean of its tokens' rows, so an app server can embed a whole
claims table at start-up and every changed claim as it syncs.

Two choices differ from ``WordLlama.embed`` (which averages every token equally):

- Tokens are weighted by ``SMOOTHING / (SMOOTHING + p(token))`` ("smooth inverse
  frequency"), with ``p`` from the token's rank in the vocabulary (a BPE vocabulary is
  in merge order, which follows frequency; Zipf's law gives the probability). Common
  tokens ("the", "▁", ",") carry less of the meaning, and weighting them down lifted
  recall on the paraphrase sets (benchmark_matching).
- The tokenizer works word by word (words are separated by spaces before BPE, so a
  word's tokens never depend on its neighbours): each distinct word is tokenized once
  and remembered. Claim text is Zipfian, so a million claims hold a few hundred
  thousand distinct words, and embedding the table costs a dictionary look-up per word
  instead of a BPE run per word.
"""

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

DIMENSIONS = 256
# The published model, its dimension and the pooling; changing any invalidates every vector.
MODEL = "wordllama l2_supercat 256, SIF-weighted mean"
SMOOTHING = 1e-3
# Distinct words remembered before the cache starts again (about 100 bytes a word).
WORD_CACHE_SIZE = 500_000
CHUNK_TOKENS = 60_000


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


class Embedder:
    """Weighted token means, with each distinct word tokenized once."""

    def __init__(self):
        loaded = model()
        self.table = np.asarray(loaded.embedding, dtype=np.float32)
        rank = np.arange(1, len(self.table) + 1, dtype=np.float64)
        probability = (1 / rank) / np.sum(1 / rank)
        self.weights = (SMOOTHING / (SMOOTHING + probability)).astype(np.float32)
        # Each token's weighted row, and its weight in the last column (the denominator).
        self.weighted_with_weight = np.hstack([self.table * self.weights[:, None], self.weights[:, None]])
        # A copy: the model's own tokenizer pads, which per-word encoding must not.
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_str(loaded.tokenizer.to_str())
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        # Each word's token ids as packed int32 (a bytes object is the smallest container).
        self.words: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def _tokens(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """All token ids of ``texts`` end to end, and how many belong to each text."""
        split = [text.split() for text in texts]
        with self.lock:
            unseen = list({word for words in split for word in words if word not in self.words})
            if len(self.words) + len(unseen) > WORD_CACHE_SIZE:
                self.words.clear()
            if unseen:
                for word, encoding in zip(
                    unseen, self.tokenizer.encode_batch(unseen, add_special_tokens=False), strict=True
                ):
                    self.words[word] = np.asarray(encoding.ids, dtype=np.int32).tobytes()
            per_text = [b"".join([self.words[word] for word in words]) for words in split]
        lengths = np.asarray([len(packed) // 4 for packed in per_text], dtype=np.int64)
        return np.frombuffer(b"".join(per_text), dtype=np.int32), lengths

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        start = 0
        while start < len(texts):
            # Chunks of about CHUNK_TOKENS tokens keep the gathered rows small.
            stop = min(len(texts), start + max(1, CHUNK_TOKENS // 30))
            ids, lengths = self._tokens(texts[start:stop])
            present = lengths > 0
            if present.any():
                offsets = (np.cumsum(lengths) - lengths)[present]
                totals = np.add.reduceat(self.weighted_with_weight[ids], offsets, axis=0)
                vectors[start:stop][present] = totals[:, :DIMENSIONS] / totals[:, DIMENSIONS:]
            start = stop
        return vectors


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    return Embedder()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity is a dot product)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = embedder().embed(texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # A text made only of characters the tokenizer drops embeds to zero: leave it at zero.
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors
