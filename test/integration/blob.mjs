// The file the test guest downloads over HTTP: 3 MiB from a fixed linear
// congruential generator, so any lost, doubled or reordered TCP segment
// changes its checksum. Shared by the Linux tests and
// scripts/record-linux-reference.sh (`node blob.mjs serve PORT` prints the port).
import { createServer } from 'node:http';

const BLOB_SIZE = 3 * 1024 * 1024;

function blob() {
  const bytes = new Uint8Array(BLOB_SIZE);
  let x = 1;
  for (let i = 0; i < BLOB_SIZE; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    bytes[i] = x >>> 16;
  }
  return bytes;
}

/** Serves the blob at /blob on 127.0.0.1:port (0: any); resolves with the server. */
export function serveBlob(port = 0) {
  const body = blob();
  const server = createServer((req, res) => {
    if (req.url !== '/blob') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[2] === 'serve') {
  const server = await serveBlob(Number(process.argv[3] ?? 0));
  console.log(server.address().port);
}
