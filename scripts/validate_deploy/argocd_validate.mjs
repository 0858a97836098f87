// Validates Argo CD objects with the @kubernetes-models/argo-cd models (types and required
// fields of the Argo CD v3 API). Reads a JSON array of {id, object} from stdin and prints a
// JSON array of {id, errors}. The models let unknown fields through; check.py adds its own
// checks. Usage: node argocd_validate.mjs <dir holding node_modules>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modulesDir = process.argv[2];
if (!modulesDir) {
  console.error("usage: node argocd_validate.mjs <npm prefix>");
  process.exit(2);
}
const entry = join(modulesDir, "node_modules", "@kubernetes-models", "argo-cd", "argoproj.io", "v1alpha1", "index.js");
const models = await import(pathToFileURL(entry).href);

const input = JSON.parse(readFileSync(0, "utf8"));
const results = input.map(({ id, object }) => {
  const Model = models[object.kind];
  if (object.apiVersion !== "argoproj.io/v1alpha1" || typeof Model !== "function") {
    return { id, errors: [`no model for ${object.apiVersion} ${object.kind}`] };
  }
  try {
    new Model(object).validate();
    return { id, errors: [] };
  } catch (err) {
    const details = Array.isArray(err.errors)
      ? err.errors.map((e) => `${e.instancePath || "/"} ${e.message}`)
      : [String(err.message || err)];
    return { id, errors: details };
  }
});
process.stdout.write(JSON.stringify(results));
