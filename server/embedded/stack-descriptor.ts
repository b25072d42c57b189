import { existsSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { isProcessAlive } from "./processes.js";
import { readSecrets } from "./secrets.js";
import { StartupError } from "./startup-error.js";

/**
 * What a running embedded stack tells a second app server (`npm run serve`, issue 19) about itself: where its
 * Supabase gateway and PostgreSQL listen. Written to DATA_DIR/stack.json once the first server is ready, removed
 * when it stops. The keys stay in secrets.json (both files are readable by their owner only).
 */
const descriptorSchema = z.object({
  pid: z.number().int().positive(),
  /** The first server's own address (loopback), where its gateway serves /auth/v1 and /rest/v1. */
  supabaseUrl: z.url(),
  pgPort: z.number().int().min(1).max(65535),
  /**
   * The first server's forwarding token: joined servers send it with the person's address on their loopback calls to
   * the auth service, so its sign-in limits count people, not the joined server (as for the first server's own calls).
   */
  forwardingToken: z.string().min(32),
});
export type StackDescriptor = z.infer<typeof descriptorSchema>;

const descriptorFile = (dataDir: string) => path.join(dataDir, "stack.json");

export async function writeStackDescriptor(dataDir: string, descriptor: StackDescriptor): Promise<void> {
  await fs.writeFile(descriptorFile(dataDir), JSON.stringify(descriptor, null, 2), { mode: 0o600 });
}

export async function removeStackDescriptor(dataDir: string): Promise<void> {
  await fs.rm(descriptorFile(dataDir), { force: true });
}

/**
 * The five Supabase project variables that make another server use the embedded stack running from `dataDir`,
 * as project mode uses a hosted project, and the stack's forwarding token. Fails with a plain sentence when no stack runs there.
 */
export async function joinEmbeddedStack(dataDir: string): Promise<Record<string, string>> {
  const file = descriptorFile(dataDir);
  if (!existsSync(file))
    throw new StartupError(`No running stack found in ${dataDir}; start one with \`npm start\` (or set DATA_DIR).`);
  const parsed = descriptorSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new StartupError(`${file} is not a stack description; restart \`npm start\`.`);
  const descriptor = parsed.data;
  if (!isProcessAlive(descriptor.pid))
    throw new StartupError(
      `The stack in ${dataDir} is not running (pid ${descriptor.pid} is gone); start it with \`npm start\`.`,
    );
  const secrets = await readSecrets(dataDir);
  return {
    SUPABASE_URL: descriptor.supabaseUrl,
    SUPABASE_ANON_KEY: secrets.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: secrets.serviceRoleKey,
    SUPABASE_JWT_SECRET: secrets.jwtSecret,
    DATABASE_URL: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${descriptor.pgPort}/postgres`,
    EMBEDDED_FORWARDING_TOKEN: descriptor.forwardingToken,
  };
}
