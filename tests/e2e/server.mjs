// A small static server for the built site, as a plain static host serves it: no rewrites (a
// folder serves its index.html, anything missing the site's 404.html), correct MIME types, gzip
// when asked for, and the COOP/COEP headers only when asked for, so tests can see the site with
// and without isolation. An SPA fallback exists for older single-page builds (benchmarks).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.txt': 'text/plain',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.json', '.svg', '.webmanifest', '.txt']);

// Compressed bodies, by file and modification time: a build's wasm is compressed once.
const gzipped = new Map();
async function compressed(file, body) {
  const key = `${file}:${(await stat(file)).mtimeMs}`;
  if (!gzipped.has(key)) gzipped.set(key, gzipSync(body));
  return gzipped.get(key);
}

async function isFile(file) {
  try { return (await stat(file)).isFile(); } catch { return false; }
}

/**
 * Finds the file for a path and the status to answer with, or null for a bare 404. With `spa`,
 * an extensionless path without a file is the app's to render (including 404s); without it, a
 * directory serves its index.html and anything else the root's 404.html, if there is one.
 */
async function resolveFile(root, path, spa) {
  const file = normalize(join(root, path));
  if (await isFile(file)) return { file, status: 200 };
  if (await isFile(join(file, 'index.html'))) return { file: join(file, 'index.html'), status: 200 };
  if (spa) return extname(path) ? null : { file: join(root, 'index.html'), status: 200 };
  return (await isFile(join(root, '404.html'))) ? { file: join(root, '404.html'), status: 404 } : null;
}

export async function serve({ root, isolated, port = 0, gzip = false, spa = false }) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!normalize(join(root, path)).startsWith(normalize(root))) { res.writeHead(403).end(); return; }
    const found = await resolveFile(root, path, spa);
    if (!found) { res.writeHead(404).end('not found'); return; }
    const ext = extname(found.file);
    // Validators, as a static host sends them: a file fetched again (say, by each web worker)
    // is revalidated (304) rather than sent again.
    const info = await stat(found.file);
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}${gzip ? '-gz' : ''}"`;
    const headers = { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', ETag: etag,
      'Last-Modified': info.mtime.toUTCString() };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (found.status === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    let body = await readFile(found.file);
    if (gzip && COMPRESSIBLE.has(ext)) {
      headers.Vary = 'Accept-Encoding';
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        body = await compressed(found.file, body);
        headers['Content-Encoding'] = 'gzip';
      }
    }
    headers['Content-Length'] = body.length;
    res.writeHead(found.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

// `node server.mjs DIR PORT [--no-isolation] [--gzip] [--spa]` serves a folder by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'dist', port = '8080'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const flag = (name) => process.argv.includes(name);
  const { url } = await serve({ root, port: Number(port), isolated: !flag('--no-isolation'), gzip: flag('--gzip'), spa: flag('--spa') });
  console.log(`serving ${root} on ${url}`);
}
