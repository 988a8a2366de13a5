#!/usr/bin/env python3
"""The rehearsal's integration tests: what tests/integration/ checks first, against TWISTERLAB_API_URL.

StagingRehearsal runs the guide's `pytest tests/integration/ -v --env=staging`; the rehearsal has no TwisterLab
checkout, so it runs this instead (--integration-test-command). Exit 0 when every check passes, 1 otherwise.
"""
import json
import os
import sys
import urllib.request

BASE = os.environ["TWISTERLAB_API_URL"].rstrip("/")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"null")


CHECKS = [
    ("health is healthy", lambda: call("GET", "/health")[1]["status"] == "healthy"),
    ("agents are listed", lambda: len(call("POST", "/mcp/list_autonomous_agents", {})[1]["agents"]) > 0),
    ("a ticket is classified", lambda: call("POST", "/mcp/classify_ticket", {"message": {"payload": {"args": {"ticket": "printer down"}}}})[1]["category"] != ""),
    ("an agent is created for a tenant", lambda: call("POST", "/agents/", {"name": "itest", "tenantId": "tenant-it"})[0] == 201),
]

failed = 0
for name, check in CHECKS:
    try:
        ok = check()
    except Exception as error:  # a refused connection or a 5xx is a failed check, reported like one
        ok, name = False, f"{name} ({error})"
    print(("PASSED " if ok else "FAILED ") + name)
    failed += not ok

print(f"{len(CHECKS) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
