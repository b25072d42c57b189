import http from "node:http";
import type { NextFunction, Request, Response } from "express";

/**
 * Supabase's API gateway admits a request only with one of the project's API keys in `apikey`, and uses that key
 * as the bearer token when none is given. We do the same, so `supabase-js` behaves here as against a project.
 */
export function requireApiKey(apiKeys: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const apiKey = req.header("apikey") ?? (typeof req.query.apikey === "string" ? req.query.apikey : undefined);
    if (!apiKey || !apiKeys.includes(apiKey)) {
      res
        .status(401)
        .json({ message: "Invalid API key", hint: "Double check your Supabase `anon` or `service_role` API key." });
      return;
    }
    if (!req.headers.authorization) req.headers.authorization = `Bearer ${apiKey}`;
    next();
  };
}

// The app's forwarding token is for the auth service alone; PostgREST would expose it to SQL as a request header.
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
  "x-embedded-forwarding-token",
]);

/** Streams requests to PostgREST on loopback; a plain pass-through needs no proxy library. */
export function proxyTo(target: string) {
  const targetUrl = new URL(target);
  return (req: Request, res: Response) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!hopByHop.has(name)) headers[name] = value;
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    const upstream = http.request(
      {
        hostname: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (upstreamResponse) => {
        const responseHeaders = { ...upstreamResponse.headers };
        delete responseHeaders.connection;
        res.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
        upstreamResponse.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.status(503).json({ message: "The REST service is not available" });
      else res.destroy();
    });
    req.pipe(upstream);
  };
}
