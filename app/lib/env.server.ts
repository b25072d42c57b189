import { z } from "zod";

const appEnvSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_ANON_KEY: z.string().min(20),
  SITE_URL: z.url(),
  APP_MODE: z.enum(["embedded", "project"]),
});

export type AppEnv = z.infer<typeof appEnvSchema>;

let cached: AppEnv | undefined;

/** The app's view of the environment; the server entry fills it in embedded mode before the app loads. */
export function getAppEnv(): AppEnv {
  if (cached) return cached;
  const parsed = appEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new Error(`Invalid app environment: ${names}`);
  }
  cached = parsed.data;
  return cached;
}
