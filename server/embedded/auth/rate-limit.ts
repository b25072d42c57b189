import type { Request } from "express";
import { clientAddress as guardedClientAddress } from "./request-guard.js";

/**
 * Counters kept in memory: the embedded stack is one process, and a restart forgetting counts is an acceptable
 * cost (a Supabase project rate-limits on its own side).
 */

/**
 * The client a limit counts against. This is the one place the auth service asks; request-guard.ts decides: the
 * peer's address, X-Forwarded-For only as TRUST_PROXY says, or the person's address passed by our own app.
 */
export function clientAddress(req: Request): string {
  return guardedClientAddress(req).replace(/^::ffff:/, "");
}

/** Fixed-window counter: at most `limit` hits per key per window. */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the key may try again, or 0 when it is under the limit. */
  retryAfter(key: string, now = Date.now()): number {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now || window.count < this.limit) return 0;
    return Math.ceil((window.resetAt - now) / 1000);
  }

  hit(key: string, now = Date.now()): void {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.windows.size > 10_000) this.prune(now);
      return;
    }
    window.count += 1;
  }

  /** Counts a hit and answers whether the key was already over the limit (then the hit is not counted). */
  take(key: string, now = Date.now()): number {
    const retry = this.retryAfter(key, now);
    if (retry === 0) this.hit(key, now);
    return retry;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

/**
 * Failed attempts with exponential backoff: `freeFailures` failures pass, then each further failure blocks the
 * key for twice as long as the one before (from `baseBlockMs` up to `maxBlockMs`). A success resets the key, and
 * a key forgets its failures `forgetAfterMs` after the last one. Keyed by address and client together, so a
 * stranger guessing someone's password slows down only themself, never the owner on their own device (issue 12).
 */
export class FailureBackoff {
  private readonly failures = new Map<string, { count: number; last: number; blockedUntil: number }>();

  constructor(
    private readonly freeFailures: number,
    private readonly baseBlockMs = 30_000,
    private readonly maxBlockMs = 15 * 60_000,
    private readonly forgetAfterMs = 15 * 60_000,
  ) {}

  retryAfter(key: string, now = Date.now()): number {
    const entry = this.failures.get(key);
    if (!entry || entry.blockedUntil <= now) return 0;
    return Math.ceil((entry.blockedUntil - now) / 1000);
  }

  fail(key: string, now = Date.now()): void {
    const previous = this.failures.get(key);
    const count = previous && now - previous.last < this.forgetAfterMs ? previous.count + 1 : 1;
    const over = count - this.freeFailures;
    const blockedUntil = over >= 0 ? now + Math.min(this.maxBlockMs, this.baseBlockMs * 2 ** over) : 0;
    this.failures.set(key, { count, last: now, blockedUntil });
    if (this.failures.size > 10_000) this.prune(now);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) {
      if (entry.blockedUntil <= now && now - entry.last >= this.forgetAfterMs) this.failures.delete(key);
    }
  }
}
