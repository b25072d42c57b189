import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const projectRoot = path.resolve(import.meta.dirname, "..");

/**
 * What the production build (`remix vite:build` and scripts/precompress.ts) is made from: the app, the static files,
 * the build's configuration and the exact dependencies. The server's own code (server/) is not built; it runs as is.
 */
const inputs = [
  "app",
  "public",
  "vite.config.ts",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  "scripts/build.ts",
  "scripts/build-stamp.ts",
  "scripts/precompress.ts",
];

const stampFile = (root: string) => path.join(root, "build", "build-stamp.txt");
/** Files the build itself needs, whatever the stamp says (someone may have deleted part of build/). */
const outputs = ["build/server/index.js", "build/client/assets"];

function files(root: string, relative: string): string[] {
  const absolute = path.join(root, relative);
  if (!existsSync(absolute)) return [];
  try {
    return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(root, path.posix.join(relative, entry.name))
        : entry.isFile()
          ? [path.posix.join(relative, entry.name)]
          : [],
    );
  } catch {
    return [relative];
  }
}

/** A hash of every input file's path and content (contents, not times: a fresh clone or a checkout changes times). */
export function inputsHash(root = projectRoot): string {
  const hash = createHash("sha256");
  for (const file of inputs.flatMap((input) => files(root, input)).sort()) {
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(path.join(root, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** Whether build/ was made from exactly the current inputs. */
export function buildIsCurrent(root = projectRoot): boolean {
  if (!outputs.every((output) => existsSync(path.join(root, output)))) return false;
  if (!existsSync(stampFile(root))) return false;
  return readFileSync(stampFile(root), "utf8").trim() === inputsHash(root);
}

export function writeStamp(hash: string, root = projectRoot): void {
  writeFileSync(stampFile(root), `${hash}\n`);
}
