import type { IncomingMessage } from "node:http";
import { z } from "zod";

/** One log call: structured fields first, then the sentence (pino's `(obj, msg)` form). */
export type CollabLogFn = (fields: object, message: string) => void;

/**
 * What the collaboration server needs of a logger: a pino logger fits as it is. Each connection logs through a child
 * bound with its connection id and the upgrade request's id, so one request's messages can be followed.
 */
export interface CollabLogger {
  child(bindings: Record<string, unknown>): CollabLogger;
  debug: CollabLogFn;
  info: CollabLogFn;
  warn: CollabLogFn;
  error: CollabLogFn;
}

/**
 * The default: one line per call through `write`, as the server logged before structured logging ("collab: …"),
 * with a child's bindings appended; debug lines are dropped unless `debug` is set.
 */
export function createLineLogger(
  write: (line: string) => void = (line) => console.log(line),
  options: { debug?: boolean; bindings?: Record<string, unknown> } = {},
): CollabLogger {
  const bindings = options.bindings ?? {};
  const suffix = Object.entries(bindings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ");
  const line: CollabLogFn = (_fields, message) => write(`collab: ${message}${suffix ? ` [${suffix}]` : ""}`);
  return {
    child: (more) => createLineLogger(write, { ...options, bindings: { ...bindings, ...more } }),
    debug: options.debug ? line : () => undefined,
    info: line,
    warn: line,
    error: line,
  };
}

/** A request id a proxy or the app set: a short token of safe characters (it is copied into every log line). */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

/** The upgrade request's `x-request-id`, if it carries a valid one. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  const parsed = requestIdSchema.safeParse(req.headers["x-request-id"]);
  return parsed.success ? parsed.data : undefined;
}
