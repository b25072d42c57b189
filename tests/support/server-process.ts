import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { findFreePort } from "../../server/embedded/free-port";

export const projectRoot = path.resolve(import.meta.dirname, "..", "..");

export interface RunningServer {
  child: ChildProcess;
  url: string;
  port: number;
  pgPort: number;
  dataDir: string;
  output: () => string;
  /** Resolves with the exit code once the process has ended by itself. */
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts the real server (the production build, as `npm start` runs it) and waits until /healthz says ok. */
export async function startServer(options: {
  dataDir: string;
  /** The script to run: server/index.ts (as `npm start`) by default; scripts/serve.ts is `npm run serve`. */
  entry?: string;
  port?: number;
  pgPort?: number;
  env?: Record<string, string>;
  waitForHealthy?: boolean;
}): Promise<RunningServer> {
  const port = options.port ?? (await findFreePort());
  const pgPort = options.pgPort ?? (await findFreePort());
  const child = spawn(
    process.execPath,
    ["--import", "tsx", options.entry ?? path.join(projectRoot, "server", "index.ts")],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        DATA_DIR: options.dataDir,
        PORT: String(port),
        PG_PORT: String(pgPort),
        LOG_LEVEL: "info",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://localhost:${port}`;
  const server: RunningServer = {
    child,
    url,
    port,
    pgPort,
    dataDir: options.dataDir,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitForHealthy === false) return server;
  // Generous: CI and developers' machines may be busy with other work; a healthy server answers long before this.
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`server did not become healthy in 180 s:\n${output}`);
}

export interface EmbeddedSecretsFile {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  postgresPassword: string;
  authenticatorPassword: string;
}

export function readSecrets(dataDir: string): EmbeddedSecretsFile {
  return JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as EmbeddedSecretsFile;
}

export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
