import { stack, type TestUser } from "./supabase";

/**
 * Requests to the real server as a browser makes them: same-origin (the `Origin` header every state-changing request
 * carries from our pages), with the session cookies the real sign-in form sets.
 */
export const sameOrigin = () => ({ origin: stack().url });

/** A person's session as a browser without JavaScript has it: cookies from the real sign-in form. */
export async function signInCookie(user: Pick<TestUser, "email" | "password">): Promise<string> {
  const response = await fetch(`${stack().url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email: user.email, password: user.password, redirectTo: "/home" }),
    headers: sameOrigin(),
    redirect: "manual",
  });
  if (response.status !== 302) throw new Error(`sign-in of ${user.email} answered ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

export async function postTo(
  path: string,
  options: { cookie?: string; body?: BodyInit; contentType?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...sameOrigin(), ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.contentType) headers["content-type"] = options.contentType;
  return fetch(`${stack().url}${path}`, { method: "POST", body: options.body, headers, redirect: "manual" });
}

export async function getPage(path: string, options: { cookie?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  return fetch(`${stack().url}${path}`, { headers, redirect: "manual" });
}
