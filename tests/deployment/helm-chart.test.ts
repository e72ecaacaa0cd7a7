/**
 * The Helm chart (deploy/helm/insurflow) as Helm and the Kubernetes API's schemas see it: `helm
 * lint` accepts it, `helm template` renders it with the default values and with a release ramp
 * (ci/ramp-values.yaml: two worker versions, KEDA, an ingress, existing Secrets), kubeconform
 * finds every rendered object valid against the strict schemas of Kubernetes 1.37 (offline, from
 * the tool cache), and the facts that matter in a cluster hold: non-root read-only containers, the
 * probes, the migrations hook, a PodDisruptionBudget per Deployment, one Deployment per worker version,
 * and with backup.enabled compose's backup agent on PostgreSQL's node with its data volume.
 * Without an existing Secret the chart refuses to render unless it is given production's
 * METRICS_TOKEN and PAYLOAD_CODEC_KEYS; the renders below give them.
 * Helm and kubeconform come from the tool cache (built from the Go module proxy by scripts/setup.sh).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  KUBERNETES_SCHEMA_VERSION,
  kubeconformSchemaLocation,
  resolveHelm,
  resolveKubeconform,
  resolveKubernetesSchemas,
} from '../../scripts/local/kubernetes-tools';
import { productionSecrets } from '../support/config';

const ROOT = path.join(__dirname, '..', '..');
const CHART = path.join(ROOT, 'deploy', 'helm', 'insurflow');
const RAMP_VALUES = path.join(CHART, 'ci', 'ramp-values.yaml');
const run = promisify(execFile);

interface Container {
  name: string;
  command: string[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  readinessProbe?: { httpGet?: { path: string }; exec?: { command: string[] } };
  livenessProbe?: { httpGet?: { path: string }; exec?: { command: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  image: string;
  env?: Array<{ name: string; value?: string }>;
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object }>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    scaleTargetRef?: { name: string };
    triggers?: Array<{ type: string; metadata: Record<string, string> }>;
  };
}

let helm: string;
let kubeconform: string;
let schemas: string;
let scratch: string;
/** The values an operator must add to the defaults when the chart writes the Secret: production's METRICS_TOKEN and PAYLOAD_CODEC_KEYS. */
let secretsValues: string;

beforeAll(() => {
  // Each throws with what is missing (a Go toolchain, python3 with pip) rather than skipping.
  helm = resolveHelm();
  kubeconform = resolveKubeconform();
  schemas = resolveKubernetesSchemas();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-chart-'));
  secretsValues = path.join(scratch, 'secrets-values.yaml');
  const { METRICS_TOKEN, PAYLOAD_CODEC_KEYS } = productionSecrets();
  fs.writeFileSync(
    secretsValues,
    `secrets:\n  env:\n    METRICS_TOKEN: "${METRICS_TOKEN}"\n    PAYLOAD_CODEC_KEYS: "${PAYLOAD_CODEC_KEYS}"\n`,
  );
}, 1_800_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function say(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; message: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? failed.message}` };
  }
}

async function template(...valuesFiles: string[]): Promise<string> {
  const rendered = await say(helm, ['template', 'insurflow', CHART, ...valuesFiles.flatMap((file) => ['--values', file])]);
  expect(rendered).toEqual({ ok: true, output: expect.stringContaining('kind: Deployment') });
  return rendered.output;
}

/**
 * The rendered manifests as objects, read by Helm's own YAML parser: a throwaway chart whose one
 * template turns each document of the file it carries into JSON (the tests have no YAML parser).
 */
async function objects(manifests: string): Promise<K8sObject[]> {
  const chart = fs.mkdtempSync(path.join(scratch, 'to-json-'));
  fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: to-json\nversion: 0.0.0\n');
  fs.writeFileSync(path.join(chart, 'rendered.yaml'), manifests);
  fs.mkdirSync(path.join(chart, 'templates'));
  fs.writeFileSync(
    path.join(chart, 'templates', 'json.yaml'),
    '{{- range regexSplit "(?m)^---\\\\s*$" (.Files.Get "rendered.yaml") -1 }}{{ with fromYaml . }}---\n{{ toJson . }}\n{{ end }}{{ end }}\n',
  );
  const converted = await say(helm, ['template', 'to-json', chart]);
  expect(converted.ok).toBe(true);
  return converted.output
    .split(/^---$/m)
    .map((doc) => doc.replace(/^#.*$/gm, '').trim())
    .filter(Boolean)
    .map((doc) => JSON.parse(doc) as K8sObject);
}

/** kubeconform's summary line, e.g. "Summary: 12 resources found in 1 file - Valid: 11, Invalid: 0, Errors: 0, Skipped: 1". */
async function kubeconformSummary(manifests: string): Promise<{ ok: boolean; output: string; counts: Record<string, number> }> {
  const file = path.join(scratch, `manifests-${Date.now()}.yaml`);
  fs.writeFileSync(file, manifests);
  const checked = await say(kubeconform, [
    '-strict',
    '-summary',
    '-kubernetes-version',
    KUBERNETES_SCHEMA_VERSION,
    '-schema-location',
    kubeconformSchemaLocation(schemas),
    // KEDA's CRD schema is not available offline: its ScaledObjects are left unchecked (docs/scaling.md).
    '-skip',
    'ScaledObject',
    file,
  ]);
  const summary = /^Summary: (\d+) resources? found in \d+ files? - Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)$/m.exec(
    checked.output,
  );
  const [Found, Valid, Invalid, Errors, Skipped] = (summary ?? []).slice(1).map(Number);
  return { ...checked, counts: { Found, Valid, Invalid, Errors, Skipped } };
}

const byKind = (all: K8sObject[], kind: string) => all.filter((o) => o.kind === kind);
const podSpecs = (all: K8sObject[]): PodSpec[] =>
  all.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => o.spec!.template!.spec);

it('helm lint accepts the chart with the default values and with the release ramp', async () => {
  const lint = await say(helm, ['lint', '--strict', CHART, '--values', secretsValues]);
  expect(lint).toEqual({ ok: true, output: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
  const ramp = await say(helm, ['lint', '--strict', CHART, '--values', RAMP_VALUES]);
  expect(ramp).toEqual({ ok: true, output: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
});

it('refuses to write its Secret without METRICS_TOKEN or PAYLOAD_CODEC_KEYS, naming each, which production requires', async () => {
  const none = await say(helm, ['template', 'insurflow', CHART]);
  expect(none).toEqual({ ok: false, output: expect.stringContaining('secrets.env.METRICS_TOKEN is required') });
  const tokenOnly = path.join(scratch, 'token-only-values.yaml');
  fs.writeFileSync(tokenOnly, `secrets:\n  env:\n    METRICS_TOKEN: "${productionSecrets().METRICS_TOKEN}"\n`);
  const withoutKeys = await say(helm, ['template', 'insurflow', CHART, '--values', tokenOnly]);
  expect(withoutKeys).toEqual({ ok: false, output: expect.stringContaining('secrets.env.PAYLOAD_CODEC_KEYS is required') });
  expect(withoutKeys.output).toContain('openssl rand -base64 32');
});

it('renders with the default values into objects kubeconform finds valid, each container non-root and read-only', async () => {
  const manifests = await template(secretsValues);
  const checked = await kubeconformSummary(manifests);
  // ConfigMap, Secret, the migrations Secret and Job, the API's Deployment, Service and PDB, one worker's Deployment and PDB.
  expect(checked).toMatchObject({ ok: true, counts: { Found: 9, Valid: 9, Invalid: 0, Errors: 0, Skipped: 0 } });

  const all = await objects(manifests);
  expect(all.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
    'ConfigMap/insurflow-config',
    'Deployment/insurflow-api',
    'Deployment/insurflow-worker-main',
    'Job/insurflow-migrate',
    'PodDisruptionBudget/insurflow-api',
    'PodDisruptionBudget/insurflow-worker-main',
    'Secret/insurflow-env',
    'Secret/insurflow-migrations',
    'Service/insurflow-api',
  ]);
  for (const pod of podSpecs(all)) {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
    for (const container of pod.containers) {
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(container.image).toBe('insurflow:0.1.0');
    }
  }

  const [api] = byKind(all, 'Deployment').filter((d) => d.metadata.name === 'insurflow-api');
  const apiContainer = api.spec!.template!.spec.containers[0];
  expect(apiContainer.command).toEqual(['node', '--max-semi-space-size=32', 'dist/src/api/server.js']);
  expect(apiContainer.readinessProbe?.httpGet?.path).toBe('/readyz');
  expect(apiContainer.livenessProbe?.httpGet?.path).toBe('/healthz');
  expect(api.spec!.replicas).toBe(2);

  // The worker's health as docker-compose.yml checks it: its metrics endpoint, through the image's script.
  const [worker] = byKind(all, 'Deployment').filter((d) => d.metadata.name === 'insurflow-worker-main');
  const workerContainer = worker.spec!.template!.spec.containers[0];
  const healthcheck = ['node', 'dist/scripts/healthcheck.js', 'http://127.0.0.1:9464/metrics'];
  expect(workerContainer.readinessProbe?.exec?.command).toEqual(healthcheck);
  expect(workerContainer.livenessProbe?.exec?.command).toEqual(healthcheck);
  expect(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')).toContain(
    `test: ${JSON.stringify(['CMD', ...healthcheck]).replace(/,/g, ', ')}`,
  );

  const [config] = byKind(all, 'ConfigMap') as unknown as Array<{ data: Record<string, string> }>;
  expect(config.data).toMatchObject({
    TEMPORAL_TASK_QUEUE: 'insurflow',
    TEMPORAL_BULK_TASK_QUEUE: 'insurflow-bulk',
    API_HOST: '0.0.0.0',
    WORKER_METRICS_HOST: '0.0.0.0',
    WORKER_METRICS_PORT: '9464',
  });
});

it('runs the migrations as a pre-install and pre-upgrade hook, with the command and role docker-compose.yml uses', async () => {
  const all = await objects(await template(secretsValues));
  const [job] = byKind(all, 'Job');
  expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '0' });
  const migrate = job.spec!.template!.spec.containers[0];
  expect(migrate.command).toEqual(['node', 'dist/scripts/migrate.js']);
  expect(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')).toContain('command: ["node", "dist/scripts/migrate.js"]');
  expect(migrate.env).toContainEqual({ name: 'DB_APP_ROLE', value: 'insurflow_app' });
  // Its Secret must exist before the Job: a hook of lower weight.
  const migrationsSecret = byKind(all, 'Secret').find((s) => s.metadata.name === 'insurflow-migrations');
  expect(migrationsSecret?.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-10' });
});

it('renders a release ramp: one Deployment, PDB and KEDA ScaledObject per worker version, all valid', async () => {
  const manifests = await template(RAMP_VALUES);
  const checked = await kubeconformSummary(manifests);
  // ConfigMap, the Job, the API's Deployment, Service, PDB and Ingress, and per worker version a Deployment and a PDB (valid) and a ScaledObject (skipped).
  expect(checked).toMatchObject({ ok: true, counts: { Found: 12, Valid: 10, Invalid: 0, Errors: 0, Skipped: 2 } });

  const all = await objects(manifests);
  const workers = byKind(all, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');
  expect(workers.map((d) => [d.metadata.name, d.spec!.template!.spec.containers[0].image])).toEqual([
    ['insurflow-worker-v2026-11-1', 'registry.example.com/insurflow:2026.11.1'],
    ['insurflow-worker-v2026-11-2', 'registry.example.com/insurflow:2026.11.2'],
  ]);
  // KEDA owns the replica count.
  expect(workers.map((d) => d.spec!.replicas)).toEqual([undefined, undefined]);
  expect(workers[1].spec!.template!.spec.containers[0].env).toContainEqual({ name: 'WORKER_MAX_CACHED_WORKFLOWS', value: '2000' });
  // Each version joins the Worker Deployment under its own image tag, so the server can ramp between them.
  expect(
    workers.map((d) =>
      d.spec!.template!.spec.containers[0].env!.filter(
        (e) => e.name.startsWith('WORKER_') && e.name !== 'WORKER_MAX_CACHED_WORKFLOWS' && e.name !== 'WORKER_SHUTDOWN_GRACE_SECONDS',
      ),
    ),
  ).toEqual([
    [
      { name: 'WORKER_DEPLOYMENT_NAME', value: 'insurflow' },
      { name: 'WORKER_BUILD_ID', value: '2026.11.1' },
    ],
    [
      { name: 'WORKER_DEPLOYMENT_NAME', value: 'insurflow' },
      { name: 'WORKER_BUILD_ID', value: '2026.11.2' },
    ],
  ]);

  // A PDB per Deployment, selecting exactly that Deployment's pods.
  const deployments = byKind(all, 'Deployment');
  const pdbs = byKind(all, 'PodDisruptionBudget');
  expect(pdbs).toHaveLength(deployments.length);
  for (const deployment of deployments) {
    const pdb = pdbs.find((p) => p.metadata.name === deployment.metadata.name);
    expect(pdb?.spec?.selector?.matchLabels).toEqual(deployment.spec!.selector!.matchLabels);
  }
  const selectors = deployments.map((d) => JSON.stringify(d.spec!.selector!.matchLabels));
  expect(new Set(selectors).size).toBe(deployments.length);

  const scaled = byKind(all, 'ScaledObject');
  expect(scaled.map((s) => s.spec!.scaleTargetRef!.name)).toEqual(workers.map((d) => d.metadata.name));
  for (const object of scaled) {
    expect(object.spec!.triggers!.map((t) => [t.type, t.metadata.taskQueue, t.metadata.targetQueueSize, t.metadata.namespace])).toEqual([
      ['temporal', 'insurflow', '20', 'insurflow'],
      ['temporal', 'insurflow-bulk', '200', 'insurflow'],
    ]);
  }
  expect((scaled[0].spec as { maxReplicaCount: number }).maxReplicaCount).toBe(2);
  expect((scaled[1].spec as { maxReplicaCount: number }).maxReplicaCount).toBe(10);

  // Existing Secrets: the chart writes none.
  expect(byKind(all, 'Secret')).toEqual([]);
  const [ingress] = byKind(all, 'Ingress') as unknown as Array<{ spec: { rules: Array<{ host: string }> } }>;
  expect(ingress.spec.rules[0].host).toBe('insurflow.example.com');
});

it('refuses a worker version whose name cannot be part of a Deployment name', async () => {
  const bad = path.join(scratch, 'bad-values.yaml');
  fs.writeFileSync(bad, 'workers:\n  - name: Version_2\n');
  const rendered = await say(helm, ['template', 'insurflow', CHART, '--values', secretsValues, '--values', bad]);
  expect(rendered).toEqual({ ok: false, output: expect.stringContaining('workers[0].name "Version_2"') });
});

it("renders docker-compose.yml's backup agent beside PostgreSQL when enabled, valid, and refuses it without what it needs", async () => {
  const backupValues = path.join(scratch, 'backup-values.yaml');
  const backup = (extra: string) =>
    `backup:\n  enabled: true\n${extra}  postgres:\n    dataVolumeClaim: data-postgresql-0\n    podLabels: { app.kubernetes.io/name: postgresql }\n`;
  fs.writeFileSync(backupValues, backup('  databaseUrl: postgres://postgres:secret@postgresql:5432/postgres\n  encryptionKey: a2V5\n'));
  const manifests = await template(secretsValues, backupValues);
  const checked = await kubeconformSummary(manifests);
  // The default nine, the agent's Deployment and its Secret.
  expect(checked).toMatchObject({ ok: true, counts: { Found: 11, Valid: 11, Invalid: 0, Errors: 0, Skipped: 0 } });
  const all = await objects(manifests);
  const deployment = byKind(all, 'Deployment').find((d) => d.metadata.name === 'insurflow-backup')!;
  const pod = deployment.spec!.template!.spec as PodSpec & {
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: Array<{ topologyKey: string; labelSelector: object }> } };
    volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  };
  const [agent] = pod.containers;
  const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  // The compose service's command, user and settings.
  expect(compose).toContain(`command: ${JSON.stringify(agent.command).replace(/,/g, ', ')}`);
  expect(compose).toContain(`user: "${pod.securityContext!.runAsUser}:999"`);
  const env = Object.fromEntries((agent.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  for (const name of [
    'BACKUP_PGDATA',
    'BACKUP_WAL_SPOOL',
    'BACKUP_S3_BUCKET',
    'BACKUP_INTERVAL_MINUTES',
    'BACKUP_KEEP',
    'BACKUP_METRICS_PORT',
  ]) {
    expect(compose).toContain(`${name}: ${/^\d+$/.test(env[name]!) ? `"${env[name]}"` : env[name]}`);
  }
  expect(agent.livenessProbe?.exec?.command).toEqual(['node', 'dist/scripts/healthcheck.js', 'http://127.0.0.1:9188/metrics']);
  // On PostgreSQL's node, with its data volume, never fsGroup (the kubelet would change the group of PostgreSQL's files).
  expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
    { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgresql' } } },
  ]);
  expect(pod.volumes).toContainEqual({ name: 'postgres-data', persistentVolumeClaim: { claimName: 'data-postgresql-0' } });
  expect(agent.volumeMounts).toContainEqual({ name: 'postgres-data', mountPath: '/var/lib/postgresql/data' });
  expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
  expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  // Its credentials in a Secret of its own, which the API and the workers do not read.
  const [secret] = byKind(all, 'Secret').filter((s) => s.metadata.name === 'insurflow-backup') as unknown as Array<{
    stringData: Record<string, string>;
  }>;
  expect(Object.keys(secret.stringData).sort()).toEqual(['BACKUP_DATABASE_URL', 'BACKUP_ENCRYPTION_KEY']);

  for (const [values, refusal] of [
    [backup(''), 'backup.databaseUrl is required'],
    ['backup:\n  enabled: true\n  existingSecret: backup-credentials\n', 'backup.postgres.dataVolumeClaim is required'],
    [
      'backup:\n  enabled: true\n  existingSecret: backup-credentials\n  postgres:\n    dataVolumeClaim: data-postgresql-0\n',
      'backup.postgres.podLabels is required',
    ],
  ]) {
    fs.writeFileSync(backupValues, values);
    const refused = await say(helm, ['template', 'insurflow', CHART, '--values', secretsValues, '--values', backupValues]);
    expect(refused).toEqual({ ok: false, output: expect.stringContaining(refusal) });
  }
});
