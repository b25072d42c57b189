import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildIsCurrent, inputsHash, writeStamp } from "../../scripts/build-stamp";
import { findFreePort } from "../../server/embedded/free-port";
import { projectRoot } from "../support/server-process";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A project with the build's inputs and outputs in miniature, stamped as built. */
function builtProject() {
  const root = tempDir("an-stamp-");
  mkdirSync(path.join(root, "app", "routes"), { recursive: true });
  mkdirSync(path.join(root, "public"));
  mkdirSync(path.join(root, "build", "server"), { recursive: true });
  mkdirSync(path.join(root, "build", "client", "assets"), { recursive: true });
  writeFileSync(path.join(root, "app", "root.tsx"), "export default function App() {}\n");
  writeFileSync(path.join(root, "app", "routes", "_index.tsx"), "export default function Index() {}\n");
  writeFileSync(path.join(root, "public", "favicon.svg"), "<svg/>\n");
  writeFileSync(path.join(root, "package.json"), "{}\n");
  writeFileSync(path.join(root, "build", "server", "index.js"), "export {};\n");
  writeStamp(inputsHash(root), root);
  return root;
}

describe("the build stamp (npm start rebuilds only when the build's inputs changed)", () => {
  it("a build made from the current inputs is current; any changed, added or removed source file is not", () => {
    const root = builtProject();
    expect(buildIsCurrent(root)).toBe(true);

    const route = path.join(root, "app", "routes", "_index.tsx");
    writeFileSync(route, "export default function Index() { return null; }\n");
    expect(buildIsCurrent(root)).toBe(false);
    writeFileSync(route, "export default function Index() {}\n");
    expect(buildIsCurrent(root)).toBe(true);

    const added = path.join(root, "app", "routes", "about.tsx");
    writeFileSync(added, "export default function About() {}\n");
    expect(buildIsCurrent(root)).toBe(false);
    rmSync(added);
    expect(buildIsCurrent(root)).toBe(true);

    writeFileSync(path.join(root, "package.json"), '{ "dependencies": { "react": "18.3.1" } }\n');
    expect(buildIsCurrent(root)).toBe(false);
  });

  it("a fresh clone (no build) or a partly deleted build is not current", () => {
    expect(buildIsCurrent(tempDir("an-clone-"))).toBe(false);
    const root = builtProject();
    rmSync(path.join(root, "build", "client", "assets"), { recursive: true });
    expect(buildIsCurrent(root)).toBe(false);
    const unstamped = builtProject();
    rmSync(path.join(unstamped, "build", "build-stamp.txt"));
    expect(buildIsCurrent(unstamped)).toBe(false);
  });

  it("a copy of the checkout with the same contents is current (contents count, not file times)", () => {
    const root = builtProject();
    const copy = tempDir("an-copy-");
    cpSync(root, copy, { recursive: true, preserveTimestamps: false });
    expect(buildIsCurrent(copy)).toBe(true);
  });
});

describe("npm start on a current build", { timeout: 600_000 }, () => {
  it("starts the server without rebuilding", async () => {
    // `npm test` builds first; a developer running this file alone builds with `npm run build`.
    expect(buildIsCurrent(), "the build is out of date: run `npm run build` first").toBe(true);
    const dataDir = tempDir("an-start-");
    const port = await findFreePort();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "scripts", "start.ts")], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        PORT: String(port),
        PG_PORT: String(await findFreePort()),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 300_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline && child.exitCode === null) {
        healthy = await fetch(`http://localhost:${port}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(healthy, output).toBe(true);
      expect(output).toContain("The build is current; starting without rebuilding.");
      expect(output).not.toContain("building first");
      expect(output).not.toMatch(/vite v\d|Precompressed/);
    } finally {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    }
  });
});
