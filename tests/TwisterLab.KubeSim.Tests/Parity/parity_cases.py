"""Parity cases for the Python client (Debian's python3-kubernetes 22.6) against the simulator.

Run by PythonParityTests: KUBECONFIG names the simulator. Each case prints CASE, then PASS or FAIL with the reason.
Each case asserts what a v1.32 API server answers to this client.
"""
import os
import sys
import threading
import time
import traceback

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

config.load_kube_config(config_file=os.environ["KUBECONFIG"])
core = client.CoreV1Api()
apps = client.AppsV1Api()
batch = client.BatchV1Api()
CASES = []
counter = [0]


def case(fn):
    CASES.append(fn)
    return fn


def namespace():
    counter[0] += 1
    name = "py%d" % counter[0]
    core.create_namespace({"metadata": {"name": name}})
    return name


def eventually(read, what, seconds=20):
    deadline = time.time() + seconds
    while True:
        value = read()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting until " + what)
        time.sleep(0.05)


def deployment(ns, name="web", replicas=1):
    apps.create_namespaced_deployment(ns, {
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}})
    eventually(lambda: (apps.read_namespaced_deployment(name, ns).status.ready_replicas or 0) == replicas, name + " ready")
    return [p for p in core.list_namespaced_pod(ns, label_selector="app=" + name).items
            if p.status.phase == "Running" and p.metadata.deletion_timestamp is None]


def apply(ns, name, body, manager, force=None, content_type="application/apply-patch+yaml"):
    """Server-side apply as this client has to do it: call_api with a text body (22.6 has no typed apply)."""
    query = [("fieldManager", manager)]
    if force is not None:
        query.append(("force", force))  # urlencode turns the Python bool into "True"
    return core.api_client.call_api(
        "/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH", {"namespace": ns, "name": name}, query,
        {"Content-Type": content_type, "Accept": "application/json"}, body=body,
        response_type="V1ConfigMap", auth_settings=["BearerToken"], _return_http_data_only=True)


@case
def list_pods_all_namespaces():
    core.list_pod_for_all_namespaces()


@case
def create_read_and_already_exists():
    ns = namespace()
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}, "data": {"k": "v"}})
    assert core.read_namespaced_config_map("cfg", ns).data == {"k": "v"}
    try:
        core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
        raise AssertionError("a second create succeeded")
    except ApiException as e:
        assert e.status == 409 and '"reason":"AlreadyExists"' in e.body.replace(" ", ""), e.body


@case
def read_missing_is_404():
    try:
        core.read_namespaced_config_map("missing", "default")
        raise AssertionError("read of a missing object succeeded")
    except ApiException as e:
        assert e.status == 404, e.status


@case
def patch_and_delete():
    ns = namespace()
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}, "data": {"k": "v"}})
    patched = core.patch_namespaced_config_map("cfg", ns, {"data": {"k": "w"}})
    assert patched.data == {"k": "w"}, patched.data
    core.delete_namespaced_config_map("cfg", ns)
    assert not [c for c in core.list_namespaced_config_map(ns).items if c.metadata.name == "cfg"]


@case
def watch_streams_events():
    # The client sends watch=True; the apiserver parses it with strconv.ParseBool, so it is a watch.
    ns = namespace()
    core.create_namespaced_config_map(ns, {"metadata": {"name": "first"}})
    threading.Timer(0.5, lambda: core.create_namespaced_config_map(ns, {"metadata": {"name": "second"}})).start()
    seen = []
    for event in watch.Watch().stream(core.list_namespaced_config_map, ns, timeout_seconds=2):
        seen.append((event["type"], event["object"].metadata.name))
    assert ("ADDED", "first") in seen and ("ADDED", "second") in seen, seen


@case
def list_with_label_selector_and_limit():
    ns = namespace()
    for i in range(3):
        core.create_namespaced_config_map(ns, {"metadata": {"name": "c%d" % i, "labels": {"tier": "x"}}})
    page = core.list_namespaced_config_map(ns, label_selector="tier=x", limit=2)
    assert len(page.items) == 2 and page.metadata._continue, page.metadata
    rest = core.list_namespaced_config_map(ns, label_selector="tier=x", limit=2, _continue=page.metadata._continue)
    assert len(rest.items) == 1


@case
def dry_run_create():
    ns = namespace()
    core.create_namespaced_config_map(ns, {"metadata": {"name": "dry"}}, dry_run="All")
    assert not core.list_namespaced_config_map(ns).items


@case
def scale_deployment():
    ns = namespace()
    deployment(ns)
    apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 3}})
    eventually(lambda: (apps.read_namespaced_deployment("web", ns).status.ready_replicas or 0) == 3, "3 ready")


@case
def exec_output():
    ns = namespace()
    pod = deployment(ns)[0].metadata.name
    out = stream(core.connect_get_namespaced_pod_exec, pod, ns, command=["echo", "hello"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "hello\n", repr(out)


@case
def exec_with_stdin():
    # stdin=True is sent as "True": a v1.32 server attaches stdin.
    ns = namespace()
    pod = deployment(ns)[0].metadata.name
    resp = stream(core.connect_get_namespaced_pod_exec, pod, ns, command=["head", "-c", "5"],
                  stderr=True, stdin=True, stdout=True, tty=False, _preload_content=False)
    resp.write_stdin("hello")
    out = ""
    deadline = time.time() + 10
    while resp.is_open() and time.time() < deadline:
        resp.update(timeout=1)
        out += resp.read_stdout() if resp.peek_stdout() else ""
    resp.close()
    assert out == "hello", repr(out)


@case
def logs_of_a_running_pod():
    ns = namespace()
    pod = deployment(ns)[0].metadata.name
    core.read_namespaced_pod_log(pod, ns)


@case
def ssa_yaml_body():
    ns = namespace()
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: v\n"
    applied = apply(ns, "cfg", body, "py-apply")
    assert applied.data == {"k": "v"}, applied.data


@case
def ssa_force_true():
    ns = namespace()
    apply(ns, "cfg", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"k":"1"}}', "one")
    try:
        apply(ns, "cfg", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"k":"2"}}', "two")
        raise AssertionError("a conflicting apply succeeded")
    except ApiException as e:
        assert e.status == 409, e.status
    forced = apply(ns, "cfg", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"k":"2"}}', "two", force=True)
    assert forced.data == {"k": "2"}, forced.data


@case
def job_runs_to_completion_and_logs():
    ns = namespace()
    batch.create_namespaced_job(ns, {
        "metadata": {"name": "migrate"},
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [
            {"name": "migrate", "image": "busybox:1.36", "command": ["sh", "-c", "echo migrated"]}]}}}})
    eventually(lambda: batch.read_namespaced_job("migrate", ns).status.succeeded == 1, "the job succeeded")
    pod = core.list_namespaced_pod(ns, label_selector="job-name=migrate").items[0].metadata.name
    log = core.read_namespaced_pod_log(pod, ns)
    assert log == "migrated\n", repr(log)


@case
def statefulset_ordered_pods():
    ns = namespace()
    apps.create_namespaced_stateful_set(ns, {
        "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "replicas": 2, "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "db", "image": "postgres:15"}]}}}})
    eventually(lambda: (apps.read_namespaced_stateful_set("db", ns).status.ready_replicas or 0) == 2, "2 ready")
    names = sorted(p.metadata.name for p in core.list_namespaced_pod(ns, label_selector="app=db").items)
    assert names == ["db-0", "db-1"], names


@case
def self_subject_review():
    # 22.6 predates SelfSubjectReview (GA in 1.28): kubectl auth whoami's request, sent through call_api.
    review = core.api_client.call_api(
        "/apis/authentication.k8s.io/v1/selfsubjectreviews", "POST", {}, [], {"Content-Type": "application/json", "Accept": "application/json"},
        body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, response_type="object",
        auth_settings=["BearerToken"], _return_http_data_only=True)
    assert review["status"]["userInfo"]["username"], review


@case
def self_subject_access_review():
    review = client.AuthorizationV1Api().create_self_subject_access_review({
        "spec": {"resourceAttributes": {"verb": "create", "resource": "pods", "namespace": "default"}}})
    assert review.status.allowed is True, review.status


@case
def unknown_token_is_401():
    configuration = client.Configuration.get_default_copy()
    configuration.api_key = {"authorization": "Bearer not-a-known-token"}
    try:
        client.CoreV1Api(client.ApiClient(configuration)).list_namespaced_pod("default")
        raise AssertionError("an unknown token was accepted")
    except ApiException as e:
        assert e.status == 401, e.status


def as_service_account(ns, name):
    """A CoreV1Api that authenticates with a fresh token of the ServiceAccount ns/name (TokenRequest)."""
    core.create_namespaced_service_account(ns, {"metadata": {"name": name}})
    token = core.create_namespaced_service_account_token(name, ns, {"spec": {}}).status.token
    configuration = client.Configuration.get_default_copy()
    configuration.api_key = {"authorization": "Bearer " + token}
    return client.ApiClient(configuration)


@case
def forbidden_is_403_with_the_upstream_message():
    ns = namespace()
    api = as_service_account(ns, "reader")
    core.api_client.call_api(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles" % ns, "POST", {}, [], {"Content-Type": "application/json"},
        body={"metadata": {"name": "read-pods"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]},
        auth_settings=["BearerToken"])
    core.api_client.call_api(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/rolebindings" % ns, "POST", {}, [], {"Content-Type": "application/json"},
        body={"metadata": {"name": "read-pods"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read-pods"},
              "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": ns}]},
        auth_settings=["BearerToken"])
    client.CoreV1Api(api).list_namespaced_pod(ns)
    try:
        client.CoreV1Api(api).list_namespaced_secret(ns)
        raise AssertionError("the ServiceAccount listed secrets without a rule for them")
    except ApiException as e:
        assert e.status == 403, e.status
        import json
        status = json.loads(e.body)
        expected = 'secrets is forbidden: User "system:serviceaccount:%s:reader" cannot list resource "secrets" in API group "" in the namespace "%s"' % (ns, ns)
        assert status["reason"] == "Forbidden" and status["message"] == expected, status


def forward_one_port(port):
    """A web pod in a namespace of its own, and one port of it forwarded: the pod's name, the forward, its socket."""
    ns = namespace()
    pod = deployment(ns)[0].metadata.name
    pf = portforward(core.connect_get_namespaced_pod_portforward, pod, ns, ports=str(port))
    sock = pf.socket(port)
    sock.setblocking(True)
    sock.settimeout(20)
    return pod, pf, sock


@case
def port_forward_round_trip():
    """The kubelet's WebSocket port-forward (v4.channel.k8s.io): 200 kB to port 80 come back from the echo server there."""
    _, pf, sock = forward_one_port(80)
    payload = os.urandom(200000)
    sock.sendall(payload)
    received = b""
    while len(received) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    sock.close()
    assert received == payload, "sent %d bytes, got %d back" % (len(payload), len(received))
    assert pf.error(80) is None, pf.error(80)


@case
def port_forward_nothing_listening():
    """A port nothing listens on: the kubelet's text on its error channel, then the end of the connection."""
    pod, pf, sock = forward_one_port(81)
    assert sock.recv(16) == b"", "bytes came from a port nothing listens on"
    error = eventually(lambda: pf.error(81), "the error channel answered")
    assert error.startswith("error forwarding port 81 to pod " + pod), error


for fn in CASES:
    name = fn.__name__.replace("_", "-")
    print("CASE " + name, flush=True)
    try:
        fn()
        print("PASS " + name, flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is a difference to report
        reason = (str(e) or type(e).__name__).replace("\n", " ")[:300]
        print("FAIL %s: %s" % (name, reason), flush=True)
        traceback.print_exc(file=sys.stderr)
