/**
 * What checks the Helm chart (deploy/helm/insurflow, tests/deployment/helm-chart.test.ts): Helm
 * itself, kubeconform, and the Kubernetes API's JSON schemas kubeconform validates against offline.
 * Found like the other tools (tools.ts): HELM_PATH / KUBECONFORM_PATH / KUBERNETES_SCHEMAS_DIR,
 * then the user-level cache, then a build from the Go module proxy (the schemas: PyPI) into it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, downloadPinnedWheel, goInstall, hasCommand, log } from './tools';

export const HELM_VERSION = 'v3.22.0';
/** Helm's release builds stamp the Kubernetes version of the client-go they link (v0.37.0: 1.37) as lint's and template's default. */
const HELM_KUBERNETES_MINOR = '37';
export const KUBECONFORM_VERSION = 'v0.8.0';
export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** kubernetes_validate-1.37.0-py3-none-any.whl, as PyPI serves it. */
const KUBERNETES_VALIDATE_WHEEL_SHA256 = '85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9';
/** The Kubernetes version the chart is checked against: the newest the wheel ships schemas for. */
export const KUBERNETES_SCHEMA_VERSION = '1.37.0';

/** Helm and kubeconform have go.mod files without replace directives, so `go install module@version` builds them. */
export function resolveHelm(): string {
  return resolveGoTool({
    name: 'helm',
    env: 'HELM_PATH',
    version: HELM_VERSION,
    pkg: 'helm.sh/helm/v3/cmd/helm',
    // The version stamps a release build sets (helm's Makefile), so `helm version` and the default
    // Kubernetes version of `helm lint` / `helm template` are the release's.
    ldflags: [
      `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
      `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${HELM_KUBERNETES_MINOR}`,
      `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM_KUBERNETES_MINOR}`,
    ],
  });
}

export function resolveKubeconform(): string {
  return resolveGoTool({
    name: 'kubeconform',
    env: 'KUBECONFORM_PATH',
    version: KUBECONFORM_VERSION,
    pkg: 'github.com/yannh/kubeconform/cmd/kubeconform',
    ldflags: [`-X main.version=${KUBECONFORM_VERSION}`],
  });
}

function resolveGoTool(tool: { name: string; env: string; version: string; pkg: string; ldflags: string[] }): string {
  const fromEnv = process.env[tool.env];
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`${tool.env}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const binary = path.join(cacheDir(), `${tool.name}-${tool.version}`, tool.name);
  if (fs.existsSync(binary)) return binary;
  if (!hasCommand('go')) throw new Error(`no ${tool.name}: set ${tool.env} or install a Go toolchain to build it`);
  log(`building ${tool.name} ${tool.version} from the Go module proxy (first run only, a few minutes)`);
  const buildFlags = ['-trimpath', '-ldflags', ['-w', ...tool.ldflags].join(' ')];
  goInstall({ pkg: tool.pkg, version: tool.version, binary, buildFlags });
  return binary;
}

/**
 * The folder of strict JSON schemas (no field the API does not know) for KUBERNETES_SCHEMA_VERSION,
 * laid out for kubeconform's `-schema-location <dir>/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/…`
 * (kubeconformSchemaLocation).
 */
export function resolveKubernetesSchemas(): string {
  const fromEnv = process.env.KUBERNETES_SCHEMAS_DIR;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`KUBERNETES_SCHEMAS_DIR=${fromEnv} does not exist`);
    return fromEnv;
  }
  const dir = path.join(cacheDir(), `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);
  if (fs.existsSync(path.join(dir, strictFolder(), '_definitions.json'))) return dir;
  extractSchemas(dir);
  return dir;
}

export function kubeconformSchemaLocation(schemasDir: string): string {
  return `${schemasDir}/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
}

function strictFolder(): string {
  return `v${KUBERNETES_SCHEMA_VERSION}-local-strict`;
}

/**
 * PyPI's `kubernetes-validate` wheel ships the schemas of each Kubernetes version as package data,
 * each kind in its own file referring to a shared `_definitions.json` by the absolute
 * `https://kubernetes.io/api/_definitions.json`, which kubeconform would fetch over the network. The
 * one folder the chart is checked against is kept, with those references pointed at the sibling file
 * (and the `$id`s that would resolve them to kubernetes.io dropped): the schemas are otherwise unchanged.
 */
function extractSchemas(dir: string): void {
  log(
    `fetching the Kubernetes ${KUBERNETES_SCHEMA_VERSION} JSON schemas from PyPI (kubernetes-validate ${KUBERNETES_VALIDATE_VERSION}, first run only)`,
  );
  const scratch = fs.mkdtempSync(path.join(cacheDir(), 'kubernetes-validate-wheel-'));
  try {
    const wheel = downloadPinnedWheel(
      { requirement: `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`, sha256: KUBERNETES_VALIDATE_WHEEL_SHA256 },
      scratch,
    );
    const staged = path.join(scratch, 'schemas');
    execFileSync('python3', [
      '-c',
      LOCALISE_SCHEMAS,
      wheel,
      `kubernetes_validate/kubernetes-json-schema/${strictFolder()}/`,
      path.join(staged, strictFolder()),
    ]);
    if (!fs.existsSync(path.join(staged, strictFolder(), 'deployment-apps-v1.json'))) {
      throw new Error(`the wheel has no ${strictFolder()}/deployment-apps-v1.json`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staged, dir);
  } catch (err) {
    throw new Error(
      `no Kubernetes schemas (needs python3 with pip and PyPI, or KUBERNETES_SCHEMAS_DIR): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** argv: the wheel, the folder inside it, the target folder. */
const LOCALISE_SCHEMAS = `
import json, os, sys, zipfile
wheel, prefix, target = sys.argv[1:4]
os.makedirs(target)
with zipfile.ZipFile(wheel) as archive:
    for member in archive.namelist():
        if not member.startswith(prefix) or not member.endswith(".json"):
            continue
        schema = json.loads(archive.read(member))
        schema.pop("$id", None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        with open(os.path.join(target, member[len(prefix):]), "w") as out:
            out.write(text)
`;
