// Puts the lab module (crates/lab, built and passed through wasm-bindgen and wasm-opt by ./x) into
// the site: its script and module under dist/lab/ with their content hash in the name, its
// snippets beside them, and a <meta name="interleave-lab"> in the page template naming both and
// the module's SRI hash, which the reader fetches it with. Run before the prerender, which copies
// the template's head into every page.
// Usage: node www/lab.mjs dist target/lab-bindgen
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [dist, built] = process.argv.slice(2).map((p) => resolve(p));
const fail = (why) => { console.error(`lab: ${why}`); process.exit(1); };
if (!dist || !built) fail('usage: node www/lab.mjs <dist> <wasm-bindgen output>');
for (const name of ['lab.js', 'lab_bg.wasm']) if (!existsSync(join(built, name))) fail(`no ${name} in ${built}`);

const js = readFileSync(join(built, 'lab.js'));
const wasm = readFileSync(join(built, 'lab_bg.wasm'));
const hash = createHash('sha256').update(js).update(wasm).digest('hex').slice(0, 16);
const integrity = `sha384-${createHash('sha384').update(wasm).digest('base64')}`;
const out = join(dist, 'lab');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `lab-${hash}.js`), js);
writeFileSync(join(out, `lab-${hash}_bg.wasm`), wasm);
if (existsSync(join(built, 'snippets'))) cpSync(join(built, 'snippets'), join(out, 'snippets'), { recursive: true });

const page = join(dist, 'index.html');
const html = readFileSync(page, 'utf8');
const meta = `<meta name="interleave-lab" data-js="/lab/lab-${hash}.js" data-wasm="/lab/lab-${hash}_bg.wasm" data-integrity="${integrity}">`;
const marked = html.replace(/<meta name="interleave-lab"[^>]*>\n?/, '');
if (!marked.includes('</head>')) fail(`${page} has no </head>`);
writeFileSync(page, marked.replace('</head>', `${meta}\n</head>`));
console.log(`lab: ${wasm.length} bytes of wasm as /lab/lab-${hash}_bg.wasm`);
