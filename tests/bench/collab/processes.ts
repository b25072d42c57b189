/**
 * The benchmark's server processes: the peers (bare y-websocket, Hocuspocus) in their own Node processes, restartable
 * on the same port, and resident memory of any process from /proc. Every child started here is killed when the
 * benchmark exits, however it exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { findFreePort } from "../../../server/embedded/free-port";
import { projectRoot } from "../../support/server-process";

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on("exit", () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => process.exit(130));

/** Removed when the benchmark exits, however it exits (the normal path removes it itself). */
export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
}

/** Registers a child (ours too) so it is killed if the benchmark dies before stopping it. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
}

export type PeerKind = "bare" | "hocuspocus";

export interface PeerProcess {
  kind: PeerKind;
  port: number;
  pid: number;
  exited: Promise<void>;
  output: () => string;
  documents: () => Promise<number>;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

const scripts: Record<PeerKind, string> = {
  bare: path.join(import.meta.dirname, "bare-server.ts"),
  hocuspocus: path.join(import.meta.dirname, "hocuspocus-server.ts"),
};

export async function startPeer(
  kind: PeerKind,
  options: { port?: number; inspectPort?: number; env?: Record<string, string> } = {},
): Promise<PeerProcess> {
  const port = options.port ?? (await findFreePort());
  const inspect = options.inspectPort ? [`--inspect=127.0.0.1:${options.inspectPort}`] : [];
  const child = spawn(process.execPath, [...inspect, "--import", "tsx", scripts[kind]], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(port), ...options.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  track(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let nextId = 0;
  const waiting = new Map<number, (documents: number) => void>();
  child.on("message", (message: { type: string; id?: number; documents?: number }) => {
    if (message.type === "stats") {
      waiting.get(message.id!)?.(message.documents!);
      waiting.delete(message.id!);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start in 30 s:\n${output}`)), 30_000);
    child.on("message", (message: { type: string }) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited during start:\n${output}`));
    });
  });
  return {
    kind,
    port,
    pid: child.pid!,
    exited,
    output: () => output,
    documents: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => reject(new Error(`${kind} server did not answer stats`)), 10_000);
        waiting.set(id, (documents) => {
          clearTimeout(timer);
          resolve(documents);
        });
        child.send({ type: "stats", id });
      }),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MiB (VmRSS in /proc/<pid>/status). */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * A Chrome DevTools Protocol session with a server process started with `--inspect`: forces a full garbage
 * collection before memory is read, so retained memory is compared rather than whatever garbage happens to wait.
 */
export class Inspector {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const entry = message.id === undefined ? undefined : this.waiting.get(message.id);
      if (!entry) return;
      this.waiting.delete(message.id!);
      if (message.error) entry.reject(new Error(message.error.message));
      else entry.resolve(message.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
          webSocketDebuggerUrl: string;
        }[];
        const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl, { perMessageDeflate: false });
        await new Promise<void>((resolve, reject) => {
          socket.once("open", () => resolve());
          socket.once("error", reject);
        });
        return new Inspector(socket);
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`no inspector on port ${port}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000);
      this.waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Runs a full garbage collection, then answers the V8 heap in use in MiB. */
  async heapAfterGcMiB(): Promise<number> {
    await this.call("HeapProfiler.collectGarbage");
    const answer = (await this.call("Runtime.evaluate", {
      expression: "process.memoryUsage().heapUsed",
      returnByValue: true,
    })) as {
      result: { value: number };
    };
    return answer.result.value / 1024 / 1024;
  }

  /** Starts V8's sampling CPU profiler (every 100 µs). */
  async startProfile(): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: 100 });
    await this.call("Profiler.start");
  }

  /** Stops the profiler: the profile as a .cpuprofile (Chrome DevTools, speedscope) reads it. */
  async stopProfile(): Promise<unknown> {
    const answer = (await this.call("Profiler.stop")) as { profile: unknown };
    return answer.profile;
  }

  close(): void {
    this.socket.close();
  }
}
