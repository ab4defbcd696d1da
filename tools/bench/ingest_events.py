#!/usr/bin/env python3
"""The ingest scenario's events: `group.snapshot`s of new groups of one session, as the
connection service publishes them (docs/connection-events.asyncapi.yaml), delivered as SQS
events the way Lambda's event source mapping hands them to ingest-events (`Records`, one
message per event). Standard library only; bench.py imports it.

Run alone it prints one SQS event (a batch), e.g. to try the function with
`cargo lambda invoke --data-file`:

    python3 tools/bench/ingest_events.py --events 2 --members 3 > /tmp/ingest.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import uuid

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:gateway-events"
REGION = "us-east-1"
# Group i of the run is 1203630999<i, 8 digits>@g.us: apart from the demo data's groups.
GROUP_PREFIX = "1203630999"
# A group's version is microseconds, as the connection service's are (1719662400000000 in the
# contract's example); later events of a group get larger ones.
BASE_VERSION = 1_719_662_400_000_000
ADMINS = 3  # besides the superadmin


def group_jid(i: int) -> str:
    return f"{GROUP_PREFIX}{i:08d}@g.us"


def member_jid(group: int, member: int) -> str:
    """Distinct across the run's groups: 62 8 <group, 6 digits> <member, 3 digits>."""
    return f"628{group:06d}{member:03d}@s.whatsapp.net"


def participants(group: int, members: int, account: str, promoted: int | None = None) -> list[dict]:
    """The session's account as superadmin (it created the group), ADMINS admins, the rest
    members; `promoted`: that member is an admin too (the one-member change)."""
    out = [{"jid": account, "role": "superadmin"}]
    for m in range(1, members):
        role = "admin" if m <= ADMINS or m == promoted else "member"
        out.append({"jid": member_jid(group, m), "role": role})
    return out


def snapshot(session: str, account: str, group: int, members: int, version: int, at_ms: int,
             promoted: int | None = None) -> dict:
    return {
        "type": "group.snapshot",
        "eventId": uuid.uuid4().hex,
        "session": session,
        "at": at_ms,
        "group": {
            "groupJid": group_jid(group),
            "subject": f"Bench ingest {group}",
            "description": "Applied by the ingest benchmark",
            "ownerJid": account,
            "participantCount": members,
            "isAnnounce": False,
            "isLocked": False,
            "memberAddMode": "admins",
            "createdAt": 1_700_000_000_000,
            "version": version,
        },
        "participants": participants(group, members, account, promoted),
    }


def message(body: str, message_id: str, receive_count: int, sent_ms: int) -> dict:
    """One SQS record as Lambda delivers it (aws_lambda_events' SqsMessage)."""
    return {
        "messageId": message_id,
        "receiptHandle": f"AQEB{uuid.uuid4().hex}{uuid.uuid4().hex}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(sent_ms),
            "SenderId": "AROAEXAMPLEBENCH:connection-service",
            "ApproximateFirstReceiveTimestamp": str(sent_ms),
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": REGION,
    }


class Passes:
    """The three passes over the same N groups: each a list of (message id, body)."""

    def __init__(self, session: str, account: str, n: int, members: int):
        self.session, self.account, self.n, self.members = session, account, n, members
        now = int(time.time() * 1000)
        self.at = now
        # Pass 1: every group new. Pass 2 re-delivers the very same messages.
        self.first = [(str(uuid.uuid4()), json.dumps(
            snapshot(session, account, i, members, BASE_VERSION + i, now), separators=(",", ":")))
            for i in range(n)]
        # Pass 3: a newer snapshot of each group, one member (the first plain member) promoted.
        promoted = ADMINS + 1 if members > ADMINS + 1 else None
        self.changed = [(str(uuid.uuid4()), json.dumps(
            snapshot(session, account, i, members, BASE_VERSION + 1_000_000 + i, now + 1000,
                     promoted), separators=(",", ":")))
            for i in range(n)]


def sqs_events(messages: list[tuple[str, str]], batch: int, receive_count: int = 1) -> list[bytes]:
    """The messages as SQS events of at most `batch` records each."""
    sent = int(time.time() * 1000)
    out = []
    for start in range(0, len(messages), batch):
        records = [message(body, mid, receive_count, sent)
                   for mid, body in messages[start:start + batch]]
        out.append(json.dumps({"Records": records}, separators=(",", ":")).encode())
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=10)
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--session", default="bench-ingest")
    p.add_argument("--account", default="6281234567890@s.whatsapp.net")
    args = p.parse_args()
    passes = Passes(args.session, args.account, args.events, args.members)
    sys.stdout.write(sqs_events(passes.first, batch=args.events)[0].decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
