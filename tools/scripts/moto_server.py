"""moto's server (DynamoDB and SQS), applying one DynamoDB request at a time.

DynamoDB applies each request to an item atomically: a conditional write's check and its write
are one step. moto's threaded server does not lock, so two concurrent conditional UpdateItems
can both pass their check and the older write can land last: a lost update DynamoDB never
produces. One lock around DynamoDB's requests restores DynamoDB's per-request atomicity; the
server stays threaded, so keep-alive connections of many clients still work. SQS requests are
not locked: a long poll (ReceiveMessage waiting up to 20 s) would stall every DynamoDB request.

Usage: python moto_server.py HOST PORT
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


class OneRequestAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            # Consume the whole response inside the lock: the work happens while iterating.
            return list(self.app(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, OneRequestAtATime(app), threaded=True)


if __name__ == "__main__":
    main()
