// Validates the rendered manifests without a cluster: every document against the Kubernetes OpenAPI schema
// (kubernetes-models' validators: types, required fields, enums, formats; unknown fields are not reported), then the
// references between them and to the code that a schema cannot see.
//   node validate.mjs RENDERED.yaml SECRETS.yaml REPO_ROOT
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const [renderedPath, secretsPath, root] = process.argv.slice(2);
const problems = [];
const fail = (message) => problems.push(message);

function load(path) {
  return parseAllDocuments(readFileSync(path, "utf8")).flatMap((doc) => {
    for (const error of doc.errors) fail(`${path}: ${error.message}`);
    const value = doc.toJS();
    return value ? [value] : [];
  });
}

const docs = load(renderedPath);
const secrets = load(secretsPath);

async function schemaCheck(doc) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : [null, doc.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${doc.kind}`;
  try {
    const { [doc.kind]: Model } = await import(module);
    new Model(doc).validate();
  } catch (error) {
    fail(`${doc.kind}/${doc.metadata?.name}: ${error.code === "ERR_MODULE_NOT_FOUND" ? `no schema for ${doc.apiVersion}` : error.message}`);
  }
}
for (const doc of [...docs, ...secrets]) await schemaCheck(doc);

const byKind = (kind, from = docs) => from.filter((d) => d.kind === kind);
const named = (kind, name, from = docs) => byKind(kind, from).find((d) => d.metadata.name === name);
const workloads = docs.filter((d) => ["Deployment", "StatefulSet", "Job"].includes(d.kind));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const podsOf = (selector) => workloads.filter((w) => matches(selector, w.spec.template.metadata?.labels));

// What the code serves: health paths mapped in the hosts, container ports and image names in the csproj files.
const source = (path) => readFileSync(join(root, path), "utf8");
const apps = {
  "oms-silo": { code: source("silo/Oms.Silo/Program.cs"), csproj: source("silo/Oms.Silo/Oms.Silo.csproj") },
  "oms-gateway": { code: source("client/Oms.Gateway/Operations/OperationsApi.cs"), csproj: source("client/Oms.Gateway/Oms.Gateway.csproj") },
};
for (const app of Object.values(apps)) {
  app.paths = [...app.code.matchAll(/MapHealthChecks\("([^"]+)"/g)].map((m) => m[1]);
  app.ports = [...app.csproj.matchAll(/<ContainerPort Include="(\d+)"/g)].map((m) => Number(m[1]));
  app.repository = app.csproj.match(/<ContainerRepository>([^<]+)</)?.[1];
}

for (const w of workloads) {
  const id = `${w.kind}/${w.metadata.name}`;
  const pod = w.spec.template.spec;
  if (w.kind !== "Job" && !matches(w.spec.selector.matchLabels, w.spec.template.metadata?.labels))
    fail(`${id}: selector ${JSON.stringify(w.spec.selector.matchLabels)} does not match its pod labels`);
  if (pod.serviceAccountName && !named("ServiceAccount", pod.serviceAccountName)) fail(`${id}: no ServiceAccount ${pod.serviceAccountName}`);
  for (const v of pod.volumes ?? []) {
    if (!v.configMap) continue;
    const map = named("ConfigMap", v.configMap.name);
    if (!map) { fail(`${id}: no ConfigMap ${v.configMap.name}`); continue; }
    for (const item of v.configMap.items ?? []) if (!(item.key in (map.data ?? {}))) fail(`${id}: ConfigMap ${map.metadata.name} has no key ${item.key}`);
  }
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const cid = `${id} container ${c.name}`;
    const defined = new Set();
    for (const from of c.envFrom ?? []) {
      const secret = named("Secret", from.secretRef?.name, secrets);
      if (!secret) { fail(`${cid}: Secret ${from.secretRef?.name} is not in secrets.example.yaml`); continue; }
      Object.keys(secret.stringData ?? secret.data ?? {}).forEach((k) => defined.add(k));
    }
    for (const e of c.env ?? []) {
      for (const [, ref] of String(e.value ?? "").matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
        if (!defined.has(ref)) fail(`${cid}: ${e.name} uses $(${ref}), defined neither before it nor in its Secrets`);
      defined.add(e.name);
    }
    const app = apps[c.image?.split(":")[0]];
    if (!app) { if (!c.image?.startsWith("postgres:")) fail(`${cid}: image ${c.image} is neither ours nor postgres`); continue; }
    if (app.repository !== c.image.split(":")[0]) fail(`${cid}: image ${c.image} is not the csproj's ContainerRepository ${app.repository}`);
    const portNames = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    for (const p of c.ports ?? []) if (!app.ports.includes(p.containerPort)) fail(`${cid}: port ${p.containerPort} is not a ContainerPort of the image (${app.ports})`);
    for (const kind of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const probe = c[kind]?.httpGet;
      if (!probe) { if (kind !== "startupProbe") fail(`${cid}: no ${kind}`); continue; }
      if (!app.paths.includes(probe.path)) fail(`${cid}: ${kind} ${probe.path} is not a health path the code maps (${app.paths})`);
      if (typeof probe.port === "string" && !portNames.has(probe.port)) fail(`${cid}: ${kind} port ${probe.port} is not a named port`);
    }
    if (!c.resources?.requests || !c.resources?.limits) fail(`${cid}: resources need requests and limits`);
  }
}

for (const s of byKind("Service")) {
  const pods = podsOf(s.spec.selector);
  if (pods.length === 0) { fail(`Service/${s.metadata.name}: selector matches no pods`); continue; }
  const names = new Set(pods.flatMap((w) => w.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name))));
  for (const p of s.spec.ports) if (typeof p.targetPort === "string" && !names.has(p.targetPort)) fail(`Service/${s.metadata.name}: targetPort ${p.targetPort} is no container port`);
}
for (const b of byKind("PodDisruptionBudget")) {
  const pods = podsOf(b.spec.selector.matchLabels).filter((w) => w.kind !== "Job");
  if (pods.length !== 1) fail(`PodDisruptionBudget/${b.metadata.name}: selector matches ${pods.length} workloads`);
  if (b.spec.maxUnavailable !== 1) fail(`PodDisruptionBudget/${b.metadata.name}: maxUnavailable should be 1`);
}
for (const s of byKind("StatefulSet")) {
  const svc = named("Service", s.spec.serviceName);
  if (!svc || svc.spec.clusterIP !== "None") fail(`StatefulSet/${s.metadata.name}: serviceName ${s.spec.serviceName} is not a headless Service`);
}

// Orleans' Kubernetes hosting: the pod labels it selects silos by, the variables it reads, and the RBAC it needs.
for (const s of byKind("StatefulSet").filter((w) => w.metadata.name === "oms-silo")) {
  const labels = s.spec.template.metadata.labels;
  for (const l of ["orleans/serviceId", "orleans/clusterId"]) if (!labels[l]) fail(`silo pods lack the label ${l}`);
  const env = new Set((s.spec.template.spec.containers[0].env ?? []).map((e) => e.name));
  for (const v of ["POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID"]) if (!env.has(v)) fail(`silo container lacks ${v}`);
  if (!s.spec.template.spec.terminationGracePeriodSeconds) fail("silo pods have no terminationGracePeriodSeconds");
  const account = s.spec.template.spec.serviceAccountName;
  const binding = byKind("RoleBinding").find((b) => b.subjects?.some((x) => x.kind === "ServiceAccount" && x.name === account));
  const role = binding && named("Role", binding.roleRef.name);
  const verbs = new Set((role?.rules ?? []).filter((r) => r.resources.includes("pods")).flatMap((r) => r.verbs));
  for (const v of ["get", "watch", "list", "patch"]) if (!verbs.has(v)) fail(`ServiceAccount ${account} may not ${v} pods`);
}

// The schema Job mounts every script apply-postgres.sh runs.
const scripts = readdirSync(join(root, "deploy/sql/postgresql")).filter((f) => f.endsWith(".sql"));
const job = named("Job", "oms-schema");
const mounted = new Set((job?.spec.template.spec.volumes ?? []).flatMap((v) => (v.configMap?.items ?? []).map((i) => i.key)));
for (const f of scripts) if (!mounted.has(f)) fail(`Job/oms-schema does not mount ${f}`);

if (problems.length) {
  for (const p of problems) console.error(`validate: ${p}`);
  process.exit(1);
}
console.log(`validate: ${docs.length} documents (+${secrets.length} example Secrets) valid against the Kubernetes schemas; references, probes, ports and RBAC consistent`);
