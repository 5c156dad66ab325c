#!/usr/bin/env python3
"""A manufacturer's webhook receiver for run-webhook-outage.sh: answers every POST 204 and writes one
JSON line per request to LOG (arrival time, X-PackCheck-Delivery, whether X-PackCheck-Signature is the
HMAC-SHA256 of the raw body under SECRET, whether the body's id matches the header). Listens on
127.0.0.1 only. Usage: webhook-receiver.py PORT SECRET LOG"""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, SECRET, LOG = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        delivery = self.headers.get("X-PackCheck-Delivery")
        expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(expected, self.headers.get("X-PackCheck-Signature", ""))
        try:
            matches = str(json.loads(body)["id"]) == delivery
        except (ValueError, KeyError):
            matches = False
        with lock, open(LOG, "a") as out:
            out.write(json.dumps({"at": time.time(), "delivery": delivery, "signed": signed, "idMatches": matches}) + "\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
