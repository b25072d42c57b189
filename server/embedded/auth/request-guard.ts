import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import express, { type NextFunction, type Request, type Response } from "express";
import { isLoopbackAddress } from "../../client-address.js";
import { AuthError } from "./errors.js";

/**
 * What the auth service reads of a request before any endpoint sees it (issue 11): the body, within limits and
 * free of what PostgreSQL would refuse later as a 500, and the client's address, believed only as far as
 * TRUST_PROXY says (Express's `trust proxy`, i.e. `req.ip`) or when our own app forwards it with the token.
 */
export const AUTH_BODY_LIMIT_BYTES = 64 * 1024;
/** Deeper than any Supabase Auth payload (metadata is a small object); 20,000-deep JSON is refused early. */
export const AUTH_MAX_JSON_DEPTH = 32;
/** The header our own Remix app sends, with the client's address in X-Forwarded-For, on its loopback calls. */
export const FORWARDING_TOKEN_HEADER = "x-embedded-forwarding-token";

const clientAddressKey = Symbol("authClientAddress");
type WithAddress = Request & { [clientAddressKey]?: string };

/** The client's address as the guard decided it; the rate limits key on it. */
export function clientAddress(req: Request): string {
  return (req as WithAddress)[clientAddressKey] ?? req.ip ?? req.socket.remoteAddress ?? "unknown";
}

const sameToken = (given: string | undefined, expected: string) => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

function resolveAddress(req: Request, forwardingToken: string | undefined): string {
  // Our app signs people in server-side over loopback and says whose request it is; only it knows the token.
  const peer = req.socket.remoteAddress ?? "";
  if (forwardingToken && isLoopbackAddress(peer) && sameToken(req.header(FORWARDING_TOKEN_HEADER), forwardingToken)) {
    const forwarded = req.header("x-forwarded-for")?.split(",").pop()?.trim() ?? "";
    if (isIP(forwarded)) return forwarded;
  }
  // Otherwise Express's `trust proxy` (TRUST_PROXY; default: trust nobody) decides what X-Forwarded-For is worth.
  return req.ip ?? peer;
}

const fail = (res: Response, error: AuthError) => {
  res.setHeader("x-supabase-api-version", "2024-01-01");
  res.setHeader("cache-control", "no-store");
  res.status(error.status).json(error.toJSON());
};

const badJson = (message: string) => new AuthError(400, "bad_json", message);

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first thing in a parsed body that PostgreSQL's jsonb would refuse, or that is deeper than any real payload. */
export function findUnacceptableJson(value: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes("\u0000")) return "contains a NUL character";
      if (loneSurrogate.test(current)) return "contains invalid Unicode (a lone surrogate)";
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth >= AUTH_MAX_JSON_DEPTH) return `is nested deeper than ${AUTH_MAX_JSON_DEPTH} levels`;
    for (const [key, item] of Object.entries(current)) {
      stack.push({ value: key, depth }, { value: item, depth: depth + 1 });
    }
  }
  return undefined;
}

export function authRequestGuard({ forwardingToken }: { forwardingToken?: string } = {}) {
  const json = express.json({ limit: AUTH_BODY_LIMIT_BYTES, strict: true });
  return [
    (req: Request, _res: Response, next: NextFunction) => {
      (req as WithAddress)[clientAddressKey] = resolveAddress(req, forwardingToken);
      next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      json(req, res, (error?: unknown) => {
        if (!error) return next();
        const { status, type } = error as { status?: number; type?: string };
        if (status === 413 || type === "entity.too.large") {
          return fail(
            res,
            new AuthError(413, "request_too_large", `Request body is larger than ${AUTH_BODY_LIMIT_BYTES / 1024} KB`),
          );
        }
        if (type === "charset.unsupported") return fail(res, badJson("Request body must be UTF-8 JSON"));
        if (type === "encoding.unsupported") return fail(res, badJson("Unsupported Content-Encoding"));
        if (typeof status === "number" && status >= 400 && status < 500) {
          return fail(res, badJson("Could not parse request body as JSON"));
        }
        next(error);
      });
    },
    (req: Request, res: Response, next: NextFunction) => {
      // V8's JSON.parse is not recursive, so a 20,000-deep body parses; it is refused here before anything walks it.
      const problem = findUnacceptableJson(req.body);
      if (problem) return fail(res, new AuthError(400, "validation_failed", `Request body ${problem}`));
      next();
    },
  ];
}
