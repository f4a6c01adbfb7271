"""Claim matching: "has this been checked before?".

A statement is matched against the claims on file by two signals, fused into one score
in [0, 1]:

- lexical: PostgreSQL full-text search over each claim's text, parsed with the text
  search configuration of the claim's language (``simple`` where PostgreSQL has none),
  ranked; on SQLite, word overlap computed in Python (correct, slower);
- semantic: sentence embeddings from WordLlama (its 256-dimension weights ship inside
  the PyPI package, so nothing is downloaded), searched in an in-process index that
  follows the claims table by ``updated_at``.

``selectors.similar_claims`` is the one entry point the API, the desk and the importer use.
"""
