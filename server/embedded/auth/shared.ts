import type { NextFunction, Request, Response } from "express";
import { z } from "zod";
import type { MailMessage } from "../mail-outbox.js";
import { authErrors } from "./errors.js";
import type { PkceParams } from "./pkce.js";
import type { AuthStore, AuthUserRow, OneTimeTokenType } from "./store.js";
import type { AccessTokenClaims, TokenSigner } from "./tokens.js";
import type { publicUser } from "./users.js";

/** Where auth mails go: SMTP when configured, else the embedded outbox. */
export interface AuthMailer {
  send(message: MailMessage): Promise<void>;
}

export interface AuthServiceOptions {
  store: AuthStore;
  outbox: AuthMailer;
  signer: TokenSigner;
  siteUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  emailConfirmRequired: boolean;
  signInAttemptsPerIp: number;
  /** Failed sign-ins per address from one client before its backoff starts. */
  failedSignInsPerEmail: number;
  /** Sign-ups, magic links and recovery mails each client may ask for per 5 minutes (GoTrue's RATE_LIMIT_OTP). */
  emailRequestsPerIp: number;
}

export const MIN_PASSWORD_LENGTH = 8;
export const BCRYPT_COST = 10;
export const OTP_MAX_AGE_SECONDS = 3600;
export const MAIL_RESEND_SECONDS = 60;

/** zod at the boundary; our own refinements carry GoTrue's message as is, others name the field. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === "custom") throw authErrors.validation(issue.message);
    throw authErrors.validation(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

/**
 * A query value as text, as `String()` would give it: Express's parser may hand a repeated (`a,b`) or nested
 * (`[object Object]`) parameter, and error messages quote what arrived.
 */
export function queryText(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (Array.isArray(raw)) return raw.map(queryText).join(",");
  if (raw === undefined || raw === null || typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return Object.prototype.toString.call(raw);
}

export function bearerToken(req: Request): string | undefined {
  const header = req.header("authorization");
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

/** Express 4 ignores a handler's promise: a rejection goes to `next` (the error handler), never unhandled. */
export const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };

/** What the route modules (user-routes.ts, admin-routes.ts) share with the core routes in router.ts. */
export interface AuthRouteContext {
  options: AuthServiceOptions;
  store: AuthStore;
  outbox: AuthMailer;
  userResponse: (user: AuthUserRow) => Promise<ReturnType<typeof publicUser>>;
  issueSession: (user: AuthUserRow, req: Request, method: string) => Promise<SessionResponse>;
  sessionResponse: (user: AuthUserRow, sessionId: string, refreshToken: string) => Promise<SessionResponse>;
  requireUser: (req: Request) => Promise<{ claims: AccessTokenClaims; user: AuthUserRow }>;
  requireAdmin: (req: Request) => Promise<void>;
  confirmLink: (tokenHash: string, type: string, redirectTo: unknown) => string;
  sendTokenMail: (
    user: AuthUserRow,
    tokenType: OneTimeTokenType,
    linkType: "signup" | "magiclink" | "recovery" | "invite",
    redirectTo: unknown,
    pkce?: PkceParams,
  ) => Promise<void>;
}

/** A session as GoTrue answers it (AccessTokenResponse). */
export interface SessionResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: ReturnType<typeof publicUser>;
}
