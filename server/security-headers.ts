import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";

type Locals = { locals: { cspNonce?: string } };

/** A Host header we are willing to echo into a header: host name or [IPv6], optional port, nothing else. */
const plainHost = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The collaboration socket's origins: CSP 'self' covers ws:/wss: of the same host only in CSP3 browsers. */
function socketSources(req: IncomingMessage, siteHost: string): string[] {
  const hosts = new Set([siteHost]);
  const host = req.headers.host;
  if (host && plainHost.test(host)) hosts.add(host.toLowerCase());
  return [...hosts].flatMap((name) => [`ws://${name}`, `wss://${name}`]);
}

/**
 * Security headers for every response (OWASP ASVS 5.0 chapter 3): a Content-Security-Policy whose scripts are this
 * site's files plus Remix's inline scripts carrying a per-request nonce (handed to Remix through res.locals and the
 * load context), nosniff, a referrer policy, no framing, and HSTS only over HTTPS (an HSTS header over plain HTTP on
 * localhost would be ignored at best). `contentSecurityPolicy: false` leaves CSP out (development, where Vite's
 * client injects its own scripts and styles).
 */
export function securityHeaders({
  siteUrl,
  contentSecurityPolicy = true,
}: {
  siteUrl: string;
  contentSecurityPolicy?: boolean;
}) {
  const siteHost = new URL(siteUrl).host;
  const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as unknown as Locals).locals.cspNonce}'`;
  const headers = helmet({
    contentSecurityPolicy: contentSecurityPolicy && {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", nonce],
        "script-src-attr": ["'none'"],
        // TipTap's own <style> injection is off (app/styles/prosemirror.css has it); ProseMirror and React set
        // style attributes (table column widths, caret and presence colours), which only style-src-attr allows.
        // The site stylesheet is inline in each page (one request less before the first paint), with the nonce.
        "style-src": ["'self'", nonce],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", (req: IncomingMessage) => socketSources(req, siteHost).join(" ")],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "frame-src": ["'none'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
      },
    },
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    strictTransportSecurity: false,
    xFrameOptions: { action: "deny" },
    // supabase-js in other origins calls /auth/v1 and /rest/v1 with CORS; CORP only governs no-cors loads.
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    if (req.secure) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
    headers(req, res, next);
  };
}
