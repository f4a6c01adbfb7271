"""A webhook receiver for the delivery proof (manage.py webhooks_proof): it fails on purpose.

Listens on 127.0.0.1:PORT, verifies each request's Standard Webhooks signature with the
secret, answers 500 to a FAIL_RATE share of requests at random (2xx otherwise) and
appends one JSON line per request to LOG: webhook-id, when it arrived, the status it
answered, whether the signature verified, and a hash of the body.

    python scripts/webhook_receiver.py PORT SECRET LOG [FAIL_RATE]
"""

import base64
import hashlib
import hmac
import json
import random
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, secret, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    fail_rate = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
    key = base64.b64decode(secret.removeprefix("whsec_"))
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (open while the process lives)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            arrived = time.time()
            body = self.rfile.read(int(self.headers["Content-Length"]))
            webhook_id = self.headers.get("webhook-id", "")
            timestamp = self.headers.get("webhook-timestamp", "")
            content = f"{webhook_id}.{timestamp}.".encode() + body
            expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
            signatures = self.headers.get("webhook-signature", "").split()
            verified = any(hmac.compare_digest(expected, signature) for signature in signatures)
            status = 500 if random.random() < fail_rate else 204
            # Logged before answering: a receiver killed in between has seen it (the sender retries).
            record = {
                "id": webhook_id,
                "arrived": arrived,
                "status": status,
                "verified": verified,
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "type": json.loads(body).get("type"),
            }
            log.write(json.dumps(record) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
