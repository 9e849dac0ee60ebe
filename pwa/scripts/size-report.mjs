// Prints the built app shell's size, raw and gzipped, and fails over the 150 KB budget.
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
const files = walk(dist).filter((f) => /\.(js|css|html|webmanifest)$/.test(f));
let raw = 0, gz = 0, shellJs = 0;
console.log('\napp shell size report (gzip level 9)');
for (const f of files.sort()) {
  const buf = readFileSync(f);
  const z = gzipSync(buf, { level: 9 }).length;
  raw += buf.length;
  gz += z;
  if (f.endsWith('.js') && !f.endsWith('sw.js')) shellJs += z;
  console.log(`  ${f.slice(dist.length).padEnd(40)} ${String(buf.length).padStart(8)} B  ${String(z).padStart(7)} B gz`);
}
console.log(`  ${'total'.padEnd(40)} ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gz`);
console.log(`  app shell JS (excl. service worker): ${(shellJs / 1024).toFixed(1)} KB gz of ${BUDGET / 1024} KB budget`);
if (shellJs > BUDGET) {
  console.error('over budget');
  process.exit(1);
}
