"""gunicorn's settings for this app (read from the working directory, or with -c).

The API answers an over-long query string itself, with its documented JSON 400 (it reads
at most factcheck.api.views.MAX_QUERY_LENGTH characters, up to 12 bytes each once
percent-encoded); gunicorn's own 4,094-byte request-line limit would answer first, with
an HTML error. The proxy in front bounds request lines (e.g. nginx's
large_client_header_buffers): give it at least 80 KB.
"""

limit_request_line = 0
