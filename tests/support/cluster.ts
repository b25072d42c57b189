import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "../../server/embedded/free-port";
import { projectRoot, readSecrets, startServer, type RunningServer } from "./server-process";

/**
 * Several app servers on one database (issue 19): one embedded stack (`npm start`: PostgreSQL, PostgREST, the auth
 * service, and an app server of its own) plus N app servers joined to it as `npm run serve` joins them. Every wait
 * is on a condition (a process's health, its exit), never a fixed sleep.
 */
export interface Cluster {
  /** The embedded stack's process: its URL serves /auth/v1, /rest/v1 and /dev/mail for supabase-js and tests. */
  stack: RunningServer & { anonKey: string; serviceRoleKey: string; jwtSecret: string; databaseUrl: string };
  /** The joined app servers, by index; a killed one stays in place (its `exited` resolved) until `restart(i)`. */
  servers: RunningServer[];
  url(i: number): string;
  /** Sends the signal to server i and resolves once it has exited, with its exit code (null after SIGKILL). */
  kill(i: number, signal: NodeJS.Signals): Promise<number | null>;
  /** Starts server i again on its port (killing it first if it still runs) and waits until it is healthy. */
  restart(i: number): Promise<RunningServer>;
  /** SIGTERM to every app server, then to the stack; removes the data directory. Resolves with the exit codes. */
  stop(): Promise<{ servers: (number | null)[]; stack: number | null }>;
}

export interface ClusterOptions {
  /** How many app servers join the stack (2 or 3 in the tests). */
  servers: number;
  /** Environment for every joined app server (e.g. collaboration limits). */
  env?: Record<string, string>;
  /** Environment for the stack's own process. */
  stackEnv?: Record<string, string>;
}

const serveScript = path.join(projectRoot, "scripts", "serve.ts");

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "an-cluster-"));
  const started: RunningServer[] = [];
  let stackServer: RunningServer | undefined;
  try {
    stackServer = await startServer({
      dataDir,
      env: {
        // Joined servers reach the auth service from loopback for everyone they serve: one address for all tests.
        AUTH_SIGN_IN_ATTEMPTS_PER_IP: "100000",
        AUTH_EMAIL_REQUESTS_PER_IP: "100000",
        LOG_LEVEL: "error",
        ...options.stackEnv,
      },
    });
    const ports = await Promise.all(Array.from({ length: options.servers }, () => findFreePort()));
    const startOne = (port: number) =>
      startServer({ entry: serveScript, dataDir, port, env: { LOG_LEVEL: "error", ...options.env } });
    const servers = await Promise.all(
      ports.map(async (port) => {
        const server = await startOne(port);
        started.push(server);
        return server;
      }),
    );
    const secrets = readSecrets(dataDir);
    const stack = Object.assign(stackServer, {
      anonKey: secrets.anonKey,
      serviceRoleKey: secrets.serviceRoleKey,
      jwtSecret: secrets.jwtSecret,
      databaseUrl: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${stackServer.pgPort}/postgres`,
    });
    const running = (server: RunningServer) => server.child.exitCode === null && server.child.signalCode === null;
    const cluster: Cluster = {
      stack,
      servers,
      url: (i) => servers[i]!.url,
      async kill(i, signal) {
        const server = servers[i]!;
        if (running(server)) server.child.kill(signal);
        return server.exited;
      },
      async restart(i) {
        const previous = servers[i]!;
        if (running(previous)) await previous.stop("SIGTERM");
        const server = await startOne(previous.port);
        servers[i] = server;
        return server;
      },
      async stop() {
        try {
          const codes = await Promise.all(
            servers.map((server) => (running(server) ? server.stop("SIGTERM") : server.exited)),
          );
          return { servers: codes, stack: await stack.stop("SIGTERM") };
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
    return cluster;
  } catch (error) {
    await Promise.all(started.map((server) => server.stop("SIGKILL")));
    await stackServer?.stop("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
