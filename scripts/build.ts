import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { inputsHash, projectRoot, writeStamp } from "./build-stamp";
import { precompress } from "./precompress";

/**
 * The production build: Remix/Vite, then the precompressed twins of the client assets, then the stamp saying which
 * inputs it was made from (hashed before building, so an edit made during the build makes the next start rebuild).
 */
export function build(): void {
  const hash = inputsHash();
  rmSync(path.join(projectRoot, "build", "build-stamp.txt"), { force: true });
  const remix = path.join(projectRoot, "node_modules", "@remix-run", "dev", "dist", "cli.js");
  const result = spawnSync(process.execPath, [remix, "vite:build"], { cwd: projectRoot, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`remix vite:build failed (${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  const totals = precompress(path.join(projectRoot, "build", "client", "assets"));
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  console.log(
    `Precompressed ${totals.files} assets: ${kb(totals.bytes)} → ${kb(totals.br)} brotli, ${kb(totals.gzip)} gzip`,
  );
  writeStamp(hash);
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) build();
