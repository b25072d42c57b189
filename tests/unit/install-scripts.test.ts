import { readdirSync, readFileSync, type Dirent } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every installed package that runs code at `npm install` (preinstall, install or postinstall) is one we approved,
 * named in package.json's `allowScripts` (the developers' guide: install-script approvals are recorded there).
 * A new dependency bringing an install script fails here until someone reads what it runs and records it.
 */
const root = path.resolve(import.meta.dirname, "../..");

function packagesWithInstallScripts(dir: string, found = new Set<string>()): Set<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const packageDir = path.join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      packagesWithInstallScripts(packageDir, found);
      continue;
    }
    try {
      const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
        name?: string;
        scripts?: Record<string, string>;
      };
      const scripts = manifest.scripts ?? {};
      if (manifest.name && (scripts.preinstall || scripts.install || scripts.postinstall)) found.add(manifest.name);
    } catch {
      // Not a package (a folder of a package's own files).
    }
    packagesWithInstallScripts(path.join(packageDir, "node_modules"), found);
  }
  return found;
}

describe("install scripts", () => {
  it("runs only the ones package.json approves in allowScripts", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      allowScripts?: Record<string, boolean>;
    };
    const approved = Object.keys(manifest.allowScripts ?? {});
    const installed = [...packagesWithInstallScripts(path.join(root, "node_modules"))].sort();
    expect(installed.length).toBeGreaterThan(0);
    expect(installed.filter((name) => !approved.includes(name))).toEqual([]);
  });
});
