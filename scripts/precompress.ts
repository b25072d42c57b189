import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { precompressedExtensions } from "../server/compression";

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip, level 9) beside every text asset of the client
 * build, once, so the server sends hashed assets compressed without compressing per request
 * (server/compression.ts). Tiny files (under 1 KB) stay as they are: compression would not pay for itself.
 */
export function precompress(directory: string): { files: number; bytes: number; br: number; gzip: number } {
  const totals = { files: 0, bytes: 0, br: 0, gzip: 0 };
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !precompressedExtensions.includes(path.extname(entry.name))) continue;
    const file = path.join(entry.parentPath, entry.name);
    const size = statSync(file).size;
    if (size < 1024) continue;
    const content = readFileSync(file);
    const br = zlib.brotliCompressSync(content, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
      },
    });
    const gzip = zlib.gzipSync(content, { level: 9 });
    writeFileSync(`${file}.br`, br);
    writeFileSync(`${file}.gz`, gzip);
    totals.files += 1;
    totals.bytes += size;
    totals.br += br.length;
    totals.gzip += gzip.length;
  }
  return totals;
}
