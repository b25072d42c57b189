import { redirect, type AppLoadContext } from "@remix-run/node";
import type { User } from "@supabase/supabase-js";
import { listOwnRoles, type AppRole } from "~/models/profile.server";
import { createSupabaseServerClient, type SupabaseServerClient } from "./supabase.server";

export interface RequestSession {
  supabase: SupabaseServerClient;
  /** Set-Cookie headers the Supabase client produced (refreshed tokens); send them with the response. */
  headers: Headers;
  user: User | null;
}

/** The signed-in person, verified by the auth service (not just decoded from the cookie). */
export async function getRequestSession(request: Request, context: AppLoadContext): Promise<RequestSession> {
  const { supabase, headers } = createSupabaseServerClient(request, context.clientIp);
  const { data } = await supabase.auth.getUser();
  return { supabase, headers, user: data.user ?? null };
}

/** Sends anyone not signed in to the sign-in page, and back here afterwards. */
export async function requireUser(request: Request, context: AppLoadContext) {
  const session = await getRequestSession(request, context);
  if (!session.user) {
    const url = new URL(request.url);
    const redirectTo = `${url.pathname}${url.search}`;
    throw redirect(`/sign-in?${new URLSearchParams({ redirectTo })}`, { headers: session.headers });
  }
  return { ...session, user: session.user };
}

/** Only same-site paths: an attacker-supplied `redirectTo=https://evil.example` or `//evil.example` goes home. */
export function safeRedirectPath(value: unknown, fallback = "/home"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  return value;
}

/** Like requireUser, plus the person's roles; a page for certain roles throws 403 to everyone else. */
export async function requireRoles(request: Request, context: AppLoadContext, allowed?: AppRole[]) {
  const session = await requireUser(request, context);
  const roles = await listOwnRoles(session.supabase);
  if (allowed && !allowed.some((role) => roles.includes(role))) {
    throw new Response("Forbidden", { status: 403, headers: session.headers });
  }
  return { ...session, roles };
}
