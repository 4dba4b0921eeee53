// Validates every object of the YAML streams given as files (`node validate.mjs rendered.yaml ...`, or stdin)
// against its schema and prints one JSON line per object: {file, index, apiVersion, kind, name, object, errors}.
//  - Kubernetes' own kinds: the API's OpenAPI schemas (kubernetes-models).
//  - KEDA, CloudNativePG, OpenTelemetry Operator and Gateway API kinds: their CRD schemas (@kubernetes-models/*).
//  - Kinds named by a CRD file given with --crd: that CRD's openAPIV3Schema with ajv, strictly: a field the
//    schema does not name is an error (as `kubectl apply --validate=strict` would report it).
// An object of a kind with no schema here is an error too: nothing passes unvalidated.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const args = process.argv.slice(2);
const crdFiles = [];
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--crd") crdFiles.push(args[++i]);
  else inputs.push(args[i]);
}

const packages = [
  { match: (group) => group === "" || !group.includes("."), module: (g, v, k) => `kubernetes-models/${g ? g + "/" : ""}${v}/${k}` },
  { match: (group) => group === "gateway.networking.k8s.io", module: (g, v, k) => `@kubernetes-models/gateway-api/${g}/${v}/${k}` },
  { match: (group) => group.endsWith(".k8s.io"), module: (g, v, k) => `kubernetes-models/${g}/${v}/${k}` },
  { match: (group) => group === "keda.sh", module: (g, v, k) => `@kubernetes-models/keda/${g}/${v}/${k}` },
  { match: (group) => group === "postgresql.cnpg.io", module: (g, v, k) => `@kubernetes-models/cloudnative-pg/${g}/${v}/${k}` },
  { match: (group) => group === "opentelemetry.io", module: (g, v, k) => `@kubernetes-models/opentelemetry-operator/${g}/${v}/${k}` },
  { match: (group) => group === "monitoring.coreos.com", module: (g, v, k) => `@kubernetes-models/prometheus-operator/${g}/${v}/${k}` },
];

// Structural schemas allow unknown fields unless told otherwise; the API server prunes or rejects them.
function strict(schema) {
  if (schema === null || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map(strict);
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-kubernetes-")) continue;
    out[key] = key === "properties" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)])) : strict(value);
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const crdValidators = new Map();
for (const file of crdFiles) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const crd = doc.toJS();
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const version of crd.spec.versions) {
      const schema = strict(version.schema.openAPIV3Schema);
      // metadata is the API server's, not the CRD's: only its shape matters here.
      schema.properties.metadata = { type: "object" };
      crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
}

async function validate(object) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const crd = crdValidators.get(`${group}/${version}/${object.kind}`);
  if (crd) {
    return crd(object) ? [] : crd.errors.map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ""}`);
  }
  const pkg = packages.find((p) => p.match(group));
  if (!pkg) return [`no schema for ${object.apiVersion} ${object.kind}`];
  let model;
  try {
    model = (await import(pkg.module(group, version, object.kind)))[object.kind];
  } catch {
    return [`no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (e) {
    return (e.errors ?? [{ message: e.message }]).map((x) => `${x.instancePath ?? ""} ${x.message}`.trim());
  }
}

const sources = inputs.length ? inputs.map((f) => [f, readFileSync(f, "utf8")]) : [["-", readFileSync(0, "utf8")]];
for (const [file, text] of sources) {
  let index = 0;
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS();
    if (object === null) continue;
    const errors = doc.errors.length ? doc.errors.map((e) => e.message) : await validate(object);
    console.log(JSON.stringify({ file, index: index++, apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, object, errors }));
  }
}
