import type { IncomingHttpHeaders } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { createI18n, textDirection } from "../app/i18n/config.js";
import { resources } from "../app/i18n/resources.server.js";
import { detectLanguage } from "../app/i18n/language.server.js";

/** Methods that must not change anything; every other method has to prove it comes from this site. */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

export type SameOriginVerdict = { ok: true } | { ok: false; reason: string };

interface RequestLike {
  method: string;
  headers: IncomingHttpHeaders;
}

function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CSRF defence by origin (OWASP's "verifying origin with standard headers"): a state-changing request must carry an
 * `Origin` of this site, or, when a browser sent none, a `Referer` of this site; with neither it is refused. The
 * site is SITE_URL's origin or the host the request was sent to (a browser sets Host; a page elsewhere cannot).
 * `Origin: null` (sandboxed frames, some redirects, `data:` pages) is refused.
 */
export function checkSameOrigin(req: RequestLike, siteOrigin: string): SameOriginVerdict {
  if (safeMethods.has(req.method.toUpperCase())) return { ok: true };
  const host = req.headers.host;
  const allowed = new Set([siteOrigin]);
  if (host)
    for (const scheme of ["http", "https"]) {
      const own = originOf(`${scheme}://${host}`);
      if (own) allowed.add(own);
    }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === "null") return { ok: false, reason: "Origin is null" };
    const parsed = originOf(origin);
    return parsed !== undefined && parsed === origin.toLowerCase() && allowed.has(parsed)
      ? { ok: true }
      : { ok: false, reason: `foreign Origin ${origin}` };
  }
  const referer = req.headers.referer;
  if (referer !== undefined) {
    const parsed = originOf(referer);
    return parsed !== undefined && allowed.has(parsed) ? { ok: true } : { ok: false, reason: "foreign Referer" };
  }
  return { ok: false, reason: "neither Origin nor Referer" };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A short page in the person's language; Remix is never reached, so nothing has been read or changed. */
async function refusalPage(req: Request): Promise<string> {
  const language = await detectLanguage(
    new Request("http://localhost/", {
      headers: { cookie: req.headers.cookie ?? "", "accept-language": req.headers["accept-language"] ?? "" },
    }),
  );
  const t = createI18n(language, resources[language].translation).getFixedT(language);
  const title = escapeHtml(t("errorPage.crossSiteTitle"));
  return (
    `<!DOCTYPE html><html lang="${language}" dir="${textDirection(language)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>` +
    `<body><main><h1>${title}</h1><p>${escapeHtml(t("errorPage.crossSiteBody"))}</p>` +
    `<p><a href="/">${escapeHtml(t("errorPage.backHome"))}</a></p></main></body></html>`
  );
}

const maxDrainedBytes = 1024 * 1024;

/** Express middleware in front of the Remix app (not the Supabase API, which is token-authenticated). */
export function requireSameOrigin(siteUrl: string) {
  const siteOrigin = new URL(siteUrl).origin;
  return (req: Request, res: Response, next: NextFunction) => {
    const verdict = checkSameOrigin(req, siteOrigin);
    if (verdict.ok) return next();
    res.status(403).setHeader("cache-control", "no-store");
    const refuse = () => {
      if (!req.accepts("html")) {
        res.json({ error: "cross-site request refused" });
        return;
      }
      refusalPage(req).then(
        (html) => res.type("html").send(html),
        (error: unknown) => next(error),
      );
    };
    // A small body is read (and dropped) before answering: answering mid-upload and closing made the client see a
    // reset instead of the 403. A large one is not worth reading: the connection closes after the answer.
    const declared = Number(req.headers["content-length"] ?? 0);
    if (req.readableEnded || !(declared <= maxDrainedBytes)) {
      res.setHeader("connection", "close");
      refuse();
      return;
    }
    req.on("end", refuse);
    req.on("error", () => res.destroy());
    req.resume();
  };
}
