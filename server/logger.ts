import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import { pinoHttp } from "pino-http";
import { logLevel, type LogLevel } from "./env.js";

/** The one structured logger of the server process (pino: one JSON object per line on stdout). */
export type Logger = PinoLogger;
export type { LogLevel };

/**
 * pino's error serializer, less the database client pg-pool attaches to an idle connection's error (`err.client`):
 * serialized, that one property made each "database pool error" line tens of kilobytes of connection internals.
 */
function errorForLog(error: Error): object {
  const { client: _client, ...serialized } = pino.stdSerializers.err(error) as Record<string, unknown>;
  return serialized;
}

/** A logger writing to `destination` (stdout by default); tests pass a stream to read the lines back. */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      // Secrets never reach a log line, whichever object carries them.
      redact: {
        paths: ["req.headers.cookie", "req.headers.authorization", "req.headers.apikey", 'res.headers["set-cookie"]'],
        censor: "[redacted]",
      },
      serializers: { err: errorForLog },
    },
    options.destination,
  );
}

/**
 * The process's logger. Its level comes from LOG_LEVEL (parsed here with the env module's schema, so code that logs
 * before `parseServerEnv` runs agrees with it; an invalid value is reported by `parseServerEnv` at start).
 */
export const logger: Logger = createLogger({ level: logLevel.catch("info").parse(process.env.LOG_LEVEL) });

/** An incoming X-Request-Id is kept only when it is a short token that cannot forge or break a log line. */
const safeRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && safeRequestId.test(header) ? header : randomUUID();
}

/**
 * One line per finished request (pino-http) with a request id: the caller's X-Request-Id when it is safe, otherwise
 * a new one; sent back as X-Request-Id. `req.log` is then a child logger carrying `reqId`. Levels: 5xx is an error,
 * everything else (including 4xx, the client's mistake) is info; health probes are debug, they come every second.
 */
export function requestLogger(base: Logger = logger) {
  return pinoHttp({
    logger: base,
    // `req.log` binds only `reqId`; the request itself is described once, on the line that ends it.
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFrom(req.headers["x-request-id"]);
      res.setHeader("X-Request-Id", id);
      return id;
    },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return "error";
      return req.url === "/healthz" ? "debug" : "info";
    },
    // Only what tells requests apart: no headers (cookies, tokens) and no query string (mail links carry tokens).
    serializers: {
      req: (req: { method: string; url: string }) => ({
        method: req.method,
        path: req.url.split("?")[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
