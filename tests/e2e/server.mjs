// A small static server for the built site: SPA fallback, correct MIME types, and the
// COOP/COEP headers only when asked for, so tests can see the site with and without isolation.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.txt': 'text/plain',
};

export async function serve({ root, isolated, port = 0 }) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) { res.writeHead(403).end(); return; }
    try {
      if (!(await stat(file)).isFile()) file = join(file, 'index.html');
      await stat(file);
    } catch {
      // Single-page app: any route without a file is the app's to render (including 404s).
      if (extname(path)) { res.writeHead(404).end('not found'); return; }
      file = join(root, 'index.html');
    }
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : await readFile(file));
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

// `node server.mjs DIR PORT [--no-isolation]` serves a folder by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'dist', port = '8080'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const { url } = await serve({ root, port: Number(port), isolated: !process.argv.includes('--no-isolation') });
  console.log(`serving ${root} on ${url}`);
}
