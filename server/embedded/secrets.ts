import { randomBytes } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";
import { z } from "zod";

const secretsSchema = z.object({
  jwtSecret: z.string().min(32),
  postgresPassword: z.string().min(16),
  authenticatorPassword: z.string().min(16),
  anonKey: z.string().min(20),
  serviceRoleKey: z.string().min(20),
});
export type EmbeddedSecrets = z.infer<typeof secretsSchema>;

/** The API keys are long-lived JWTs like a Supabase project's: the role is all they carry. */
async function signApiKey(role: "anon" | "service_role", jwtSecret: string): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ role, iss: "supabase" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 10 * 365 * 24 * 3600)
    .sign(new TextEncoder().encode(jwtSecret));
}

/** The secrets of an existing data directory (a second app server joining the stack), never creating them. */
export async function readSecrets(dataDir: string): Promise<EmbeddedSecrets> {
  return secretsSchema.parse(JSON.parse(await fs.readFile(path.join(dataDir, "secrets.json"), "utf8")));
}

/** Secrets are generated on the first start and kept in DATA_DIR, so keys and sessions survive restarts. */
export async function loadOrCreateSecrets(dataDir: string): Promise<EmbeddedSecrets> {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return secretsSchema.parse(JSON.parse(await fs.readFile(file, "utf8")));
  const jwtSecret = randomBytes(32).toString("base64url");
  const secrets: EmbeddedSecrets = {
    jwtSecret,
    postgresPassword: randomBytes(18).toString("base64url"),
    authenticatorPassword: randomBytes(18).toString("base64url"),
    anonKey: await signApiKey("anon", jwtSecret),
    serviceRoleKey: await signApiKey("service_role", jwtSecret),
  };
  await fs.writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
