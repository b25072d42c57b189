import type { AuthError, EmailOtpType } from "@supabase/supabase-js";
import type { FieldError } from "~/lib/forms";
import { authErrorKeys } from "~/lib/supabase-errors.server";
import type { SupabaseLinkMailClient, SupabaseServerClient } from "~/lib/supabase.server";
import type { SignInInput, SignUpInput } from "~/validation/auth";

/**
 * Auth error codes turned into sentences the page can translate; anything unknown is "unexpected". The failed
 * answer itself was logged with its code by the client's fetch (app/lib/supabase-errors.server.ts).
 */
export function authErrorMessage(error: AuthError): FieldError {
  return (error.code && authErrorKeys[error.code]) || { key: "errors.unexpected" };
}

export async function signInWithPassword(supabase: SupabaseServerClient, input: SignInInput) {
  const { error } = await supabase.auth.signInWithPassword({ email: input.email, password: input.password });
  return error ? { error: authErrorMessage(error) } : { error: null };
}

export async function signUpApplicant(
  supabase: SupabaseServerClient,
  mailClient: SupabaseLinkMailClient,
  input: SignUpInput & { locale: string; confirmUrl: string },
) {
  const { data, error } = await mailClient.auth.signUp({
    email: input.email,
    password: input.password,
    options: { data: { display_name: input.displayName, locale: input.locale }, emailRedirectTo: input.confirmUrl },
  });
  if (error) return { error: authErrorMessage(error), signedIn: false };
  // With confirmation off the sign-up signs in: the session goes into the person's cookies.
  if (data.session) {
    const stored = await supabase.auth.setSession(data.session);
    if (stored.error) return { error: authErrorMessage(stored.error), signedIn: false };
  }
  return { error: null, signedIn: data.session !== null };
}

export async function sendMagicLink(mailClient: SupabaseLinkMailClient, email: string, redirectUrl: string) {
  const { error } = await mailClient.auth.signInWithOtp({
    email,
    options: { shouldCreateUser: false, emailRedirectTo: redirectUrl },
  });
  // An unknown address gets the same answer as a known one, so the form does not reveal who has an account.
  if (error && error.code !== "otp_disabled") return { error: authErrorMessage(error) };
  return { error: null };
}

export async function sendPasswordReset(mailClient: SupabaseLinkMailClient, email: string, redirectUrl: string) {
  const { error } = await mailClient.auth.resetPasswordForEmail(email, { redirectTo: redirectUrl });
  return error ? { error: authErrorMessage(error) } : { error: null };
}

export async function verifyEmailLink(supabase: SupabaseServerClient, tokenHash: string, type: EmailOtpType) {
  const { error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type });
  return { ok: !error };
}

export async function changePassword(supabase: SupabaseServerClient, password: string) {
  const { error } = await supabase.auth.updateUser({ password });
  return error ? { error: authErrorMessage(error) } : { error: null };
}

export async function signOut(supabase: SupabaseServerClient) {
  await supabase.auth.signOut({ scope: "local" });
}
