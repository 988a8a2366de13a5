// Parity cases for @kubernetes/client-node 1.x against the simulator, run by NodeParityTests.
// KUBECONFIG names the simulator; NODE_PATH-less import: the test runs this file from the folder that holds node_modules.
// Each case prints CASE, then PASS or FAIL with the reason, and asserts what a v1.32 API server answers.
import * as k8s from '@kubernetes/client-node';
import { PassThrough, Readable } from 'node:stream';

const cases = [];
const test = (name, fn) => cases.push([name, fn]);
let counter = 0;

/** The kubeconfig as the simulator wrote it. */
function configAsWritten() {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(process.env.KUBECONFIG);
  return kc;
}

/** Plain-HTTP servers need skipTLSVerify for this client; the kubeconfig-as-written case measures that separately. */
function usableConfig() {
  const kc = configAsWritten();
  const cluster = kc.getCurrentCluster();
  if (cluster.server.startsWith('http:')) {
    kc.loadFromOptions({ clusters: kc.clusters.map((c) => ({ ...c, skipTLSVerify: true })),
      users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  }
  return kc;
}

const kc = usableConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const assert = (cond, what) => { if (!cond) throw new Error(what); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(read, what, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting until ' + what);
    await sleep(50);
  }
}

async function newNamespace() {
  const name = `js${++counter}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

async function deployment(namespace, name = 'web', replicas = 1) {
  await apps.createNamespacedDeployment({ namespace, body: {
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } } });
  await eventually(async () => ((await apps.readNamespacedDeployment({ name, namespace })).status?.readyReplicas ?? 0) === replicas, 'ready');
  return (await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items.filter((p) => p.status?.phase === 'Running');
}

test('kubeconfig-as-written', async () => {
  const client = configAsWritten().makeApiClient(k8s.CoreV1Api);
  await client.listNamespacedPod({ namespace: 'default' });
});

test('list-and-not-found', async () => {
  await core.listPodForAllNamespaces();
  try {
    await core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' });
    throw new Error('read of a missing object succeeded');
  } catch (e) {
    assert(e.code === 404, `code ${e.code}: ${e.message}`);
  }
});

test('create-patch-delete', async () => {
  const namespace = await newNamespace();
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' }, data: { k: 'v' } } });
  const patched = await core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: { data: { k: 'w' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  assert(patched.data.k === 'w', JSON.stringify(patched.data));
  await core.deleteNamespacedConfigMap({ name: 'cfg', namespace });
  assert((await core.listNamespacedConfigMap({ namespace })).items.length === 0, 'still listed');
});

test('watch', async () => {
  const namespace = await newNamespace();
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'first' } } });
  const seen = [];
  const finished = new Promise((resolve) => {
    new k8s.Watch(kc).watch(`/api/v1/namespaces/${namespace}/configmaps`, { timeoutSeconds: 2 },
      (type, obj) => seen.push(`${type} ${obj.metadata.name}`), () => resolve());
  });
  await sleep(500);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'second' } } });
  await finished;
  assert(seen.includes('ADDED first') && seen.includes('ADDED second'), seen.join(','));
});

test('server-side-apply-force', async () => {
  const namespace = await newNamespace();
  const body = (k) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace }, data: { k } });
  const ssa = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
  await core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: body('1'), fieldManager: 'one' }, ssa);
  try {
    await core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: body('2'), fieldManager: 'two' }, ssa);
    throw new Error('a conflicting apply succeeded');
  } catch (e) {
    assert(e.code === 409, `code ${e.code}`);
  }
  const forced = await core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: body('2'), fieldManager: 'two', force: true }, ssa);
  assert(forced.data.k === '2', JSON.stringify(forced.data));
});

test('scale', async () => {
  const namespace = await newNamespace();
  await deployment(namespace);
  await apps.patchNamespacedDeploymentScale({ name: 'web', namespace, body: { spec: { replicas: 2 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas ?? 0) === 2, '2 ready');
});

test('exec', async () => {
  const namespace = await newNamespace();
  const pod = (await deployment(namespace))[0].metadata.name;
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => { text += d.toString(); });
  const status = await new Promise((resolve, reject) => {
    new k8s.Exec(kc).exec(namespace, pod, 'app', ['sh', '-c', 'echo hello; exit 0'], out, null, null, false, resolve).catch(reject);
  });
  await sleep(100);
  assert(status.status === 'Success' && text === 'hello\n', `${JSON.stringify(status)} ${JSON.stringify(text)}`);
});

test('exec-stdin', async () => {
  const namespace = await newNamespace();
  const pod = (await deployment(namespace))[0].metadata.name;
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => { text += d.toString(); });
  await new Promise((resolve, reject) => {
    new k8s.Exec(kc).exec(namespace, pod, 'app', ['head', '-c', '5'], out, null, Readable.from(['hello']), false, resolve).catch(reject);
  });
  await sleep(100);
  assert(text === 'hello', JSON.stringify(text));
});

test('logs-of-a-running-pod', async () => {
  const namespace = await newNamespace();
  const pod = (await deployment(namespace))[0].metadata.name;
  await core.readNamespacedPodLog({ name: pod, namespace });
});

test('job-runs-to-completion', async () => {
  const namespace = await newNamespace();
  await batch.createNamespacedJob({ namespace, body: { metadata: { name: 'migrate' }, spec: { backoffLimit: 0, template: { spec: {
    restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'busybox:1.36', command: ['sh', '-c', 'echo migrated'] }] } } } } });
  await eventually(async () => (await batch.readNamespacedJob({ name: 'migrate', namespace })).status?.succeeded === 1, 'succeeded');
  const pod = (await core.listNamespacedPod({ namespace, labelSelector: 'job-name=migrate' })).items[0].metadata.name;
  const log = await core.readNamespacedPodLog({ name: pod, namespace });
  assert(log === 'migrated\n', JSON.stringify(log));
});

test('self-subject-access-review', async () => {
  const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: {
    spec: { resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } } } });
  assert(review.status?.allowed === true, JSON.stringify(review.status));
});

test('forbidden-is-403-with-the-upstream-message', async () => {
  const namespace = await newNamespace();
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
  const token = (await core.createNamespacedServiceAccountToken({ name: 'reader', namespace, body: { spec: {} } })).status.token;
  const asReader = new k8s.KubeConfig();
  asReader.loadFromOptions({ clusters: kc.clusters, contexts: kc.contexts, currentContext: kc.currentContext,
    users: kc.users.map((u) => ({ name: u.name, token })) });
  try {
    await asReader.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace });
    throw new Error('the ServiceAccount listed pods without any role');
  } catch (e) {
    assert(e.code === 403, `code ${e.code}: ${e.message}`);
    const status = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    const expected = `pods is forbidden: User "system:serviceaccount:${namespace}:reader" cannot list resource "pods" in API group "" in the namespace "${namespace}"`;
    assert(status.reason === 'Forbidden' && status.message === expected, JSON.stringify(status));
  }
  const review = await asReader.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({ body: {
    spec: { resourceAttributes: { verb: 'list', resource: 'pods', namespace } } } });
  assert(review.status?.allowed === false, JSON.stringify(review.status));
});

/** The kubelet's WebSocket port-forward (v4.channel.k8s.io; the client offers v5 first): one port, its bytes and its errors. */
async function portForward(namespace, pod, port) {
  const output = new PassThrough();
  const errors = new PassThrough();
  const input = new PassThrough();
  const seen = { bytes: Buffer.alloc(0), errors: '' };
  output.on('data', (d) => { seen.bytes = Buffer.concat([seen.bytes, d]); });
  errors.on('data', (d) => { seen.errors += d.toString(); });
  const socket = await new k8s.PortForward(kc).portForward(namespace, pod, [port], output, errors, input);
  return { socket, input, seen };
}

test('port-forward', async () => {
  const namespace = await newNamespace();
  const pod = (await deployment(namespace))[0].metadata.name;
  const { socket, input, seen } = await portForward(namespace, pod, 80);
  const payload = Buffer.from(Array.from({ length: 200000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
  input.write(payload);
  await eventually(() => seen.bytes.length >= payload.length, `the echo of ${payload.length} bytes (${seen.bytes.length} so far)`);
  socket.close();
  assert(Buffer.compare(seen.bytes, payload) === 0, `sent ${payload.length} bytes, got ${seen.bytes.length} different ones back`);
  assert(seen.errors === '', seen.errors);
});

test('port-forward-nothing-listening', async () => {
  const namespace = await newNamespace();
  const pod = (await deployment(namespace))[0].metadata.name;
  const { socket, seen } = await portForward(namespace, pod, 81);
  await eventually(() => seen.errors.length > 0, 'the error channel answered');
  await eventually(() => socket.readyState === socket.CLOSED, 'the socket closed once the only port ended');
  assert(seen.errors.startsWith(`error forwarding port 81 to pod ${pod}`), seen.errors);
  assert(seen.bytes.length === 0, `${seen.bytes.length} bytes came from a port nothing listens on`);
});

for (const [name, fn] of cases) {
  console.log(`CASE ${name}`);
  try {
    await fn();
    console.log(`PASS ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${String(e?.message ?? e).replace(/\n/g, ' ').slice(0, 300)}`);
    console.error(e);
  }
}
process.exit(0);
