// Checks deploy/ offline (`npm run check:deploy`): every manifest of the kustomize base and
// overlays against the Kubernetes schemas (kubernetes-models), the kustomizations' references,
// and the manifests against docker-compose.yml: the same apps with the same commands, and every
// setting compose gives the apps provided by the ConfigMap or the Secret. Exit code 1 on a problem.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODELS = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};
const problems = [];
let checked = 0;

const documents = (file) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS())
    .filter(Boolean);

/** Every manifest a kustomization lists, followed into the bases it builds on. */
function kustomization(directory, seen = new Set()) {
  const file = join(directory, 'kustomization.yaml');
  if (!existsSync(file)) {
    problems.push(`${directory}: no kustomization.yaml`);
    return [];
  }
  const spec = parse(readFileSync(file, 'utf8'));
  const manifests = [];
  for (const resource of spec.resources ?? []) {
    const path = resolve(directory, resource);
    if (!existsSync(path)) problems.push(`${file}: resource ${resource} does not exist`);
    else if (existsSync(join(path, 'kustomization.yaml')))
      manifests.push(...kustomization(path, seen));
    else manifests.push({ file: path, documents: documents(path) });
  }
  for (const patch of spec.patches ?? []) {
    const path = resolve(directory, patch.path ?? '');
    if (!patch.path || !existsSync(path))
      problems.push(`${file}: patch ${patch.path} does not exist`);
    else {
      // A patch must name something the kustomization has.
      for (const target of documents(path)) {
        const found = manifests.some(({ documents: docs }) =>
          docs.some(
            (doc) => doc.kind === target.kind && doc.metadata?.name === target.metadata?.name,
          ),
        );
        if (!found)
          problems.push(
            `${path}: patches ${target.kind} ${target.metadata?.name}, which is not in ${directory}`,
          );
      }
    }
  }
  seen.add(directory);
  return manifests;
}

function validate({ file, documents: docs }) {
  for (const manifest of docs) {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    const Model = MODELS[key];
    if (!Model) {
      problems.push(`${file}: ${key} is not a kind this check knows`);
      continue;
    }
    try {
      new Model(manifest).validate();
      checked++;
    } catch (error) {
      problems.push(`${file}: ${manifest.kind} ${manifest.metadata?.name}: ${error.message}`);
    }
  }
}

const base = kustomization(join(root, 'deploy', 'base'));
base.forEach(validate);
for (const overlay of ['production']) kustomization(join(root, 'deploy', 'overlays', overlay));

// Against docker-compose.yml.
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const all = base.flatMap(({ documents: docs }) => docs);
const workloads = new Map(
  all
    .filter((doc) => doc.kind === 'Deployment' || doc.kind === 'Job')
    .map((doc) => [doc.metadata.name, doc.spec.template.spec.containers[0]]),
);
const provided = new Set(
  all
    .filter((doc) => doc.kind === 'ConfigMap' || doc.kind === 'Secret')
    .flatMap((doc) => Object.keys({ ...doc.data, ...doc.stringData })),
);
for (const [name, service] of Object.entries(compose.services)) {
  if (!service.command || !String(service.command).includes('dist/')) continue; // not one of ours
  const container = workloads.get(name);
  if (!container) {
    problems.push(`docker-compose service ${name} has no Deployment or Job in deploy/base`);
    continue;
  }
  if (JSON.stringify(container.command) !== JSON.stringify(service.command))
    problems.push(
      `${name}: command ${JSON.stringify(container.command)} in deploy/, ${JSON.stringify(service.command)} in compose`,
    );
  for (const variable of Object.keys(service.environment ?? {})) {
    if (!provided.has(variable))
      problems.push(
        `${name}: ${variable} is set in compose but neither in the ConfigMap nor the Secret`,
      );
  }
}

// Heap limits: every app runs with libs/runtime/src/heap-limit.ts's (through NODE_OPTIONS), in a
// container whose memory limit leaves room beside it (a quarter at least).
const heapSource = readFileSync(join(root, 'libs', 'runtime', 'src', 'heap-limit.ts'), 'utf8');
const heapMib = Number(/APP_HEAP_LIMIT_MIB = (\d+)/.exec(heapSource)?.[1]);
const expectedOptions = `--max-old-space-size=${heapMib}`;
const mebibytes = (quantity) => {
  const match = /^(\d+)(Mi|Gi|m|g)?$/.exec(String(quantity ?? ''));
  if (!match) return NaN;
  const unit = { Mi: 1, Gi: 1024, m: 1, g: 1024 }[match[2] ?? ''] ?? 1 / (1024 * 1024);
  return Number(match[1]) * unit;
};
const configMapOptions = all.find((doc) => doc.kind === 'ConfigMap')?.data?.NODE_OPTIONS;
for (const doc of all.filter((manifest) => manifest.kind === 'Deployment')) {
  const container = doc.spec.template.spec.containers[0];
  const own = (container.env ?? []).find((variable) => variable.name === 'NODE_OPTIONS')?.value;
  const fromConfigMap = (container.envFrom ?? []).some((source) => source.configMapRef)
    ? configMapOptions
    : undefined;
  const options = own ?? fromConfigMap;
  if (options !== expectedOptions)
    problems.push(
      `${doc.metadata.name}: NODE_OPTIONS is ${JSON.stringify(options)}, not ${JSON.stringify(expectedOptions)} (libs/runtime/src/heap-limit.ts)`,
    );
  const limit = mebibytes(container.resources?.limits?.memory);
  if (!(limit >= (heapMib * 4) / 3))
    problems.push(
      `${doc.metadata.name}: memory limit ${container.resources?.limits?.memory} leaves too little beside a ${heapMib} MiB heap`,
    );
}
for (const [name, service] of Object.entries(compose.services)) {
  if (!service.command || !String(service.command).includes('dist/apps/')) continue;
  if (service.environment?.NODE_OPTIONS !== expectedOptions)
    problems.push(`compose ${name}: NODE_OPTIONS is not ${JSON.stringify(expectedOptions)}`);
  if (!(mebibytes(service.mem_limit) >= (heapMib * 4) / 3))
    problems.push(
      `compose ${name}: mem_limit ${service.mem_limit} leaves too little beside a ${heapMib} MiB heap`,
    );
}

if (problems.length > 0) {
  process.stderr.write(
    `deploy/: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `deploy/: ${checked} manifests valid against the Kubernetes schemas, consistent with docker-compose.yml\n`,
);
