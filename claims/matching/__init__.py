"""Claim matching: "has this been checked before?".

A statement is matched against the claims on file by two signals, fused into one score
in [0, 1]:

- lexical: each claim's text parsed by PostgreSQL's full-text search in the text search
  configuration of the claim's language (``simple`` where PostgreSQL has none), ranked
  by rarity-weighted word overlap over in-process posting lists; on SQLite, lower-cased
  words (correct, less forgiving);
- semantic: sentence embeddings from WordLlama (its 256-dimension weights ship inside
  the PyPI package, so nothing is downloaded);
both held in an in-process index that follows the claims table by ``updated_at``.

``selectors.similar_claims`` is the one entry point the API and the desk use; imports link
reviews to claims on file through ``imports.claims_to_link``.
"""
