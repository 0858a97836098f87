// Writes a copy of the generated collection with tests added, so that check.sh can show the
// generated collection works against a real server: every request, sent exactly as generated
// (placeholder values included), must reach a real route and answer one of the status codes
// its operation documents, an error in the ApiError envelope. A request the converter got
// wrong (a path, a method, a body shape the server cannot parse) answers something else.
// Before each request a new guest signs in, so no request depends on another (the generated
// logout and refresh revoke their token).
//
//   node contract.mjs GENERATED_COLLECTION OUT
import { readFileSync, writeFileSync } from "node:fs";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error("usage: node contract.mjs GENERATED_COLLECTION OUT");
  process.exit(2);
}
const collection = JSON.parse(readFileSync(from, "utf8"));

const signIn = [
  "// A new guest for every request: its token goes in bearerToken.",
  "pm.sendRequest({ url: pm.variables.replaceIn('{{baseUrl}}/api/v1/auth/guest'), method: 'POST' }, function (err, res) {",
  "    if (err) { throw err; }",
  "    pm.variables.set('bearerToken', res.json().access_token);",
  "});",
];

let requests = 0;
const addTests = (items) => {
  for (const item of items ?? []) {
    if (item.item) addTests(item.item);
    if (!item.request) continue;
    requests++;
    const documented = [...new Set((item.response ?? []).map((r) => r.code))].sort((a, b) => a - b);
    item.event = (item.event ?? []).concat({
      listen: "test",
      script: {
        type: "text/javascript",
        exec: [
          `var documented = ${JSON.stringify(documented)};`,
          "pm.test('answers a documented status (' + documented.join(', ') + ')', function () {",
          "    pm.expect(documented).to.include(pm.response.code);",
          "});",
          "if (pm.response.code >= 400) {",
          "    pm.test('error body is the ApiError envelope', function () {",
          "        var body = pm.response.json();",
          "        pm.expect(body.error).to.be.a('string').and.match(/^[A-Z][A-Z0-9_]*$/);",
          "        pm.expect(body.message).to.be.a('string');",
          "        pm.expect(body.request_id).to.eql(pm.response.headers.get('x-request-id'));",
          "    });",
          "}",
        ],
      },
    });
  }
};
addTests(collection.item);
if (requests === 0) {
  console.error(`contract.mjs: ${from} has no requests`);
  process.exit(1);
}
collection.event = (collection.event ?? []).concat({
  listen: "prerequest",
  script: { type: "text/javascript", exec: signIn },
});
writeFileSync(to, JSON.stringify(collection));
console.log(`contract.mjs: ${requests} requests with documented-status tests`);
