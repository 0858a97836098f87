// Converts the OpenAPI document into a Postman v2.1 collection with the pinned
// openapi-to-postmanv2, byte for byte the same on every run. Called by generate.sh, which
// installs the converter; not meant to be run by hand.
//
//   node generate.mjs --modules DIR --spec openapi/backend.yaml --out FILE [--check]
//
// --check compares instead of writing: exit 1 and a note naming the first differing line
// when FILE is not what the spec generates.
//
// Why the output is stable: the converter fakes example bodies with json-schema-faker
// (Math.random, and dates around `new Date()`) and gives every item a random UUID. Here
// Math.random is a seeded PRNG and the clock reads a fixed instant while the converter runs,
// and every id is a name-based UUID (v5) of the item's place in the collection (folder,
// method and path, response code and name), so an id changes only when its operation does.
// Nothing else is changed, except the `baseUrl` default (the converter writes "/" for a spec
// without `servers`; here it is the dev server of scripts/dev.sh) and a line in the
// description saying where the file comes from.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    modules: { type: "string" },
    spec: { type: "string" },
    out: { type: "string" },
    check: { type: "boolean", default: false },
  },
});
for (const name of ["modules", "spec", "out"]) {
  if (!args[name]) {
    console.error(`generate.mjs: --${name} is required`);
    process.exit(2);
  }
}

const DEV_BASE_URL = "http://localhost:8000";
const FROZEN_NOW = Date.UTC(2026, 0, 1);
const ID_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8"; // RFC 4122 URL namespace

// mulberry32: a small seeded PRNG standing in for Math.random during the conversion.
function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Runs fn with Math.random seeded and `new Date()` / Date.now() at FROZEN_NOW.
async function deterministically(fn) {
  const RealDate = globalThis.Date;
  const realRandom = Math.random;
  class FrozenDate extends RealDate {
    constructor(...a) {
      super(...(a.length ? a : [FROZEN_NOW]));
    }
    static now() {
      return FROZEN_NOW;
    }
  }
  Math.random = seeded(20260101);
  globalThis.Date = FrozenDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
    Math.random = realRandom;
  }
}

function uuid5(name) {
  const ns = Buffer.from(ID_NAMESPACE.replace(/-/g, ""), "hex");
  const b = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function stableIds(collection) {
  const seen = new Set();
  const idOf = (key) => {
    let unique = key;
    for (let n = 2; seen.has(unique); n++) unique = `${key}~${n}`;
    seen.add(unique);
    return uuid5(`backend.postman_collection.json#${unique}`);
  };
  const walk = (items, parent) => {
    for (const item of items ?? []) {
      const url = item.request?.url;
      const path = url && typeof url === "object" ? (url.path ?? []).join("/") : String(url ?? "");
      const key = item.request ? `${parent}/${item.request.method} /${path}` : `${parent}/${item.name}`;
      if ("id" in item) item.id = idOf(key);
      for (const response of item.response ?? []) {
        if ("id" in response) response.id = idOf(`${key} -> ${response.code} ${response.name}`);
      }
      walk(item.item, key);
    }
  };
  collection.info._postman_id = idOf("");
  walk(collection.item, "");
}

const require = createRequire(join(args.modules, "package.json"));
const converterVersion = require("openapi-to-postmanv2/package.json").version;
const spec = readFileSync(args.spec, "utf8");

const collection = await deterministically(async () => {
  const Converter = require("openapi-to-postmanv2");
  const options = {
    folderStrategy: "Tags",
    requestNameSource: "Fallback",
    enableOptionalParameters: false,
    indentCharacter: "Space",
  };
  return new Promise((resolve, reject) => {
    Converter.convert({ type: "string", data: spec }, options, (err, result) => {
      if (err) return reject(err);
      if (!result.result) return reject(new Error(result.reason));
      resolve(result.output[0].data);
    });
  });
});

stableIds(collection);
for (const variable of collection.variable ?? []) {
  if (variable.key === "baseUrl" && variable.value === "/") variable.value = DEV_BASE_URL;
}
const note =
  `Generated from ${args.spec} by scripts/postman/generate.sh (openapi-to-postmanv2 ` +
  `${converterVersion}); do not edit. Requests take {{baseUrl}} and {{bearerToken}} from an ` +
  `environment in tests/postman/.`;
if (collection.info.description && typeof collection.info.description === "object") {
  collection.info.description.content = `${collection.info.description.content}\n\n${note}`;
} else {
  collection.info.description = note;
}

const text = `${JSON.stringify(collection, null, 2)}\n`;
if (!args.check) {
  writeFileSync(args.out, text);
  process.exit(0);
}
let committed = "";
try {
  committed = readFileSync(args.out, "utf8");
} catch {
  console.error(`${args.out} is missing`);
  process.exit(1);
}
if (committed === text) process.exit(0);
const want = text.split("\n");
const have = committed.split("\n");
let line = 0;
while (line < want.length && want[line] === have[line]) line++;
console.error(`${args.out} differs from what ${args.spec} generates, first at line ${line + 1}:`);
console.error(`  committed: ${(have[line] ?? "<end of file>").trim().slice(0, 160)}`);
console.error(`  generated: ${(want[line] ?? "<end of file>").trim().slice(0, 160)}`);
process.exit(1);
