// Lists every file of the finished build (prerendered pages and content files included) with its
// content hash and writes the service worker with that list, so the precache is never written by
// hand. The cache version is the hash of the whole list: any changed file makes a new version.
// Usage: node www/precache.mjs dist (run by ./x after the build and the prerender).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.env.TRUNK_STAGING_DIR ?? process.argv[2] ?? 'dist');
const publicUrl = (process.env.TRUNK_PUBLIC_URL ?? '/').replace(/\/?$/, '/');

function walk(d) {
  return readdirSync(d).flatMap((name) => {
    const path = join(d, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sha = (data) => createHash('sha256').update(data).digest('hex');
const files = walk(dir)
  .map((path) => relative(dir, path).split('\\').join('/'))
  .filter((rel) => rel !== 'sw.js' && !rel.startsWith('.'))
  .sort()
  .map((rel) => ({ url: publicUrl + rel, hash: sha(readFileSync(join(dir, rel))).slice(0, 16), bytes: statSync(join(dir, rel)).size }));
if (!files.some((f) => f.url === `${publicUrl}index.html`)) {
  console.error(`precache: no index.html in ${dir}`);
  process.exit(1);
}
const version = sha(files.map((f) => `${f.url} ${f.hash}`).join('\n')).slice(0, 16);
const template = readFileSync(join(here, 'sw.js'), 'utf8');
const marker = /\/\* PRECACHE \*\/ \{[^\n]*\}/;
if (!marker.test(template)) {
  console.error('precache: www/sw.js has lost its PRECACHE marker');
  process.exit(1);
}
const list = { version, files: files.map(({ url, hash }) => ({ url, hash })) };
writeFileSync(join(dir, 'sw.js'), template.replace(marker, `/* PRECACHE */ ${JSON.stringify(list)}`));
const bytes = files.reduce((n, f) => n + f.bytes, 0);
console.log(`precache: ${files.length} files, ${bytes} bytes, version ${version}`);
