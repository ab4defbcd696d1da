"""WhatsApp as the demo data has it: puts the demo session's groups, with their members, into
the connection emulator (its control API), so live operations on the demo groups behave as on
a phone. Used by dev.sh, local-stack.sh (conformance, client tests) and the benchmark.

    python3 tools/scripts/seed_emulator.py EMULATOR_URL

The groups and members are those `gatewayctl dev seed` stores (tools/gatewayctl/src/demo.rs):
the account is the superadmin of each group, 6289876543210 a member (with its LID),
6281111111111 an admin; openapi.yaml's examples name the member. The demo group the account
left (LEFT_GROUP in demo.rs) is not on WhatsApp as the account sees it. The snapshots the
emulator publishes for these groups change nothing stored but versions.
"""

import json
import sys
import urllib.request

SESSION = "demo"
# (jid, subject, description, isAnnounce)
GROUPS = [
    ("120363021234567890@g.us", "Project Team", "Coordination for Q3 launch", False),
    ("120363021234567891@g.us", "Support Rota", "", True),
    ("6281234567890-1700000000@g.us", "Family (legacy JID)", "Created before 2021", False),
]
MEMBERS = [
    {"jid": "6281234567890@s.whatsapp.net", "role": "superadmin"},
    {"jid": "6289876543210@s.whatsapp.net", "lid": "77001122334455@lid", "role": "member"},
    {"jid": "6281111111111@s.whatsapp.net", "role": "admin"},
]


def main(url: str) -> None:
    for jid, subject, description, announce in GROUPS:
        body = json.dumps({"subject": subject, "description": description,
                           "isAnnounce": announce, "participants": MEMBERS,
                           "createdAt": 1700000000000}).encode()
        request = urllib.request.Request(f"{url}/_emulator/sessions/{SESSION}/groups/{jid}",
                                         body, method="PUT",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
