// A stand-in for the kind cluster's ingress in check.sh: terminates TLS with a self-signed
// certificate on 127.0.0.1 and forwards every request to the spawned server, so that the
// deployment smoke command (https, a *.localhost name, a certificate nobody signed) runs here
// exactly as it would against https://api-dev.localhost.
//
//   node tls-proxy.mjs CERT KEY TARGET_URL PORT_FILE    (writes the port it listens on)
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

const [cert, key, target, portFile] = process.argv.slice(2);
if (!portFile) {
  console.error("usage: node tls-proxy.mjs CERT KEY TARGET_URL PORT_FILE");
  process.exit(2);
}
const upstream = new URL(target);
const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const forwarded = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, "x-forwarded-proto": "https" },
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.on("error", (err) => {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`tls-proxy: ${err.message}\n`);
  });
  req.pipe(forwarded);
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
process.on("SIGTERM", () => process.exit(0));
