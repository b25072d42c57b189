import { randomUUID } from "node:crypto";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import pg from "pg";
import { inject } from "vitest";
import WebSocket from "ws";
import type { Database } from "../../app/lib/database.types";

export const stack = () => inject("stack");

export const DEMO_PASSWORD = "demo-password";

/** A supabase-js client exactly as an app would build one, against the test stack's gateway. */
export function anonClient(): SupabaseClient<Database> {
  return createClient<Database>(stack().url, stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
}

export function serviceClient(): SupabaseClient<Database> {
  return createClient<Database>(stack().url, stack().serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });
}

/** A direct superuser connection, for checks that must not go through RLS. */
export async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stack().databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export type Role = "applicant" | "reviewer" | "coordinator" | "board_member" | "board_chair";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  client: SupabaseClient<Database>;
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@test.local`;
}

/**
 * Builds a confirmed user with the given roles and returns a signed-in client. Staff are created as invited
 * (no automatic applicant role), as the coordinator's invitation will create them.
 */
export async function buildUser(roles: Role[] = ["applicant"], displayName = "Test Person"): Promise<TestUser> {
  const email = uniqueEmail(roles.join("-") || "norole");
  const password = `pw-${randomUUID()}`;
  const id = await withDatabase(async (db) => {
    const invited = !roles.includes("applicant");
    const { data, error } = await serviceClient().auth.admin.createUser({
      email,
      password,
      email_confirm: true,
      user_metadata: { display_name: displayName },
    });
    if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
    if (invited) await db.query("delete from public.role_grants where user_id = $1", [data.user.id]);
    for (const role of roles) {
      await db.query("insert into public.role_grants (user_id, role) values ($1, $2) on conflict do nothing", [
        data.user.id,
        role,
      ]);
    }
    return data.user.id;
  });
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`sign in ${email}: ${error.message}`);
  return { id, email, password, client };
}

/** The newest mail sent to an address, from the embedded outbox. */
export async function latestMailTo(email: string): Promise<{ subject: string; text: string } | undefined> {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ subject: string; text_body: string }>(
      "select subject, text_body from embedded.mail_outbox where to_email = $1 order by id desc limit 1",
      [email.toLowerCase()],
    );
    return rows[0] ? { subject: rows[0].subject, text: rows[0].text_body } : undefined;
  });
}

/** The newest mail to an address with a given subject, waiting briefly for the mailer job. */
export async function mailWithSubject(email: string, subject: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = await withDatabase(
      async (db) =>
        (
          await db.query<{ text_body: string }>(
            "select text_body from embedded.mail_outbox where to_email = $1 and subject = $2 order by id desc limit 1",
            [email.toLowerCase(), subject],
          )
        ).rows[0],
    );
    if (mail || Date.now() > deadline) return mail ? { subject, text: mail.text_body } : undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function linkIn(text: string): URL {
  const match = /(https?:\/\/\S+)/.exec(text);
  if (!match?.[1]) throw new Error(`no link in mail:\n${text}`);
  return new URL(match[1]);
}
