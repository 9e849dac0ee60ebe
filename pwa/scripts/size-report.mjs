// Prints the built app's size, raw and gzipped, and fails when the app shell is over its
// 150 KB budget. The shell is what the first screen loads: index.html's scripts and the
// modules it preloads. Chunks loaded on first use (the reports and their charts) are listed
// apart with their own total: they are precached for offline use but do not delay the start.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const BUDGET = 150 * 1024;
function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const shellNames = new Set(
  [...html.matchAll(/(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1]),
);
const files = walk(dist).filter((f) => /\.(js|css|html|webmanifest)$/.test(f));
let raw = 0, gz = 0, shellJs = 0, lazyJs = 0;
console.log('\napp size report (gzip level 9; * = app shell)');
for (const f of files.sort()) {
  const buf = readFileSync(f);
  const z = gzipSync(buf, { level: 9 }).length;
  const name = f.slice(dist.length);
  raw += buf.length;
  gz += z;
  const shell = shellNames.has(name);
  if (f.endsWith('.js') && !f.endsWith('sw.js')) {
    if (shell) shellJs += z;
    else lazyJs += z;
  }
  console.log(`  ${(shell ? '* ' : '  ') + name.padEnd(40)} ${String(buf.length).padStart(8)} B  ${String(z).padStart(7)} B gz`);
}
console.log(`  ${'  total'.padEnd(42)} ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gz`);
console.log(`  app shell JS (excl. service worker): ${(shellJs / 1024).toFixed(1)} KB gz of ${BUDGET / 1024} KB budget`);
console.log(`  loaded on first use (reports, charts): ${(lazyJs / 1024).toFixed(1)} KB gz`);
if (!shellJs) {
  console.error('no app shell script found in index.html');
  process.exit(1);
}
if (shellJs > BUDGET) {
  console.error('over budget');
  process.exit(1);
}
