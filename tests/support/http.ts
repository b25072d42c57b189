import { expect } from "vitest";
import { stack, type TestUser } from "./supabase";

/** Headers a browser adds to a form posted from one of the site's own pages. */
export const sameOrigin = () => ({ origin: stack().url });

/** A person's session as a browser without JavaScript has it: cookies from the real sign-in form. */
export async function signInCookie(user: Pick<TestUser, "email" | "password">): Promise<string> {
  const response = await fetch(`${stack().url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email: user.email, password: user.password, redirectTo: "/home" }),
    headers: sameOrigin(),
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
}
