// Writes NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9) beside every text or
// wasm file in a built dist/ directory, so the server sends the smallest encoding without
// compressing on every request (tower-http compresses on the fly at brotli quality 4,
// which made the wasm about 300 KB larger on the wire). Node's zlib has both encoders,
// so this needs nothing beyond the Node.js the build already uses.
//
// Usage: node xtask/precompress.mjs DIST
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = process.argv[2];
if (!dist) {
  console.error('usage: node xtask/precompress.mjs DIST');
  process.exit(2);
}
const COMPRESSIBLE = /\.(wasm|js|css|html|svg|json|txt)$/;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(entry.name)) yield path;
  }
}

let count = 0;
for await (const path of files(dist)) {
  const bytes = await readFile(path);
  const br = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  await writeFile(`${path}.br`, br);
  await writeFile(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  count += 1;
  if (bytes.length > 100_000) {
    console.log(`${path}: ${bytes.length} B, brotli ${br.length} B`);
  }
}
console.log(`precompressed ${count} files in ${dist}`);
