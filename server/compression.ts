import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import compression from "compression";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** The text types a build compresses ahead of time (scripts/precompress.ts) and the server compresses on the fly. */
export const precompressedExtensions = [".js", ".mjs", ".css", ".svg", ".json", ".map", ".txt", ".html", ".xml"];

/**
 * On-the-fly compression of every text response the app produces (HTML, JSON from loaders and the Supabase gateway,
 * SVG): brotli when the client accepts it, else gzip (the `compression` middleware negotiates by Accept-Encoding and
 * adds `Vary: Accept-Encoding`). Binaries (PDFs, images: not "compressible" by their type) and responses that
 * already carry a Content-Encoding pass through untouched; WebSocket upgrades never reach Express.
 * Brotli quality 5 costs about as much CPU as gzip's default and compresses pages noticeably better.
 */
export function compressResponses(): RequestHandler {
  return compression({
    threshold: 1024,
    brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } },
  });
}

/**
 * The best of the offered encodings the client accepts: highest q first, and on a tie our order (br before gzip).
 * Express's `acceptsEncodings` breaks ties by the client's order, and browsers list `gzip, deflate, br, zstd`, so
 * it served Chromium gzip (13 % more bytes on the home page's scripts; issue 14). Undefined means identity.
 */
export function chooseEncoding(
  header: string | undefined,
  offered: readonly ("br" | "gzip")[],
): "br" | "gzip" | undefined {
  if (!header) return undefined;
  const quality = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    quality.set(name, q === undefined ? 1 : Number(q) || 0);
  }
  const wildcard = quality.get("*");
  let best: "br" | "gzip" | undefined;
  let bestQuality = 0;
  for (const encoding of offered) {
    const q = quality.get(encoding) ?? wildcard ?? 0;
    if (q > bestQuality) [best, bestQuality] = [encoding, q];
  }
  return best;
}

/** The files of one asset: as built, and its precompressed twins when the build wrote them. */
interface Asset {
  identity: string;
  br?: string;
  gzip?: string;
}

function listFiles(root: string, prefix = ""): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(root, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = path.posix.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(root, relative) : entry.isFile() ? [relative] : [];
  });
}

/**
 * Serves the build's hashed assets (build/client/assets: their names change with their content) with a year of
 * immutable caching, from the `.br` / `.gz` files written beside each text asset at build time when the client
 * accepts them, so nothing is compressed per request. The Content-Type is the original file's; `Vary:
 * Accept-Encoding` tells caches the body depends on it. Files without a precompressed twin (images, fonts) are
 * served as they are, with the same caching. Anything else falls through to the next handler.
 */
export function precompressedAssets(root: string): RequestHandler {
  const assets = new Map<string, Asset>();
  const files = new Set(listFiles(root));
  for (const relative of files) {
    if (relative.endsWith(".br") || relative.endsWith(".gz")) continue;
    const variant = (file: string) => (files.has(file) ? path.join(root, file) : undefined);
    assets.set(`/${relative}`, {
      identity: path.join(root, relative),
      br: variant(`${relative}.br`),
      gzip: variant(`${relative}.gz`),
    });
  }
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const asset = assets.get(req.path);
    if (!asset) return next();
    const offered = (["br", "gzip"] as const).filter((encoding) => asset[encoding]);
    const encoding = chooseEncoding(req.headers["accept-encoding"], offered);
    const variant = (encoding ? asset[encoding] : undefined) ?? asset.identity;
    res.type(path.extname(req.path));
    res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    if (offered.length > 0) res.vary("Accept-Encoding");
    if (encoding && variant !== asset.identity) res.setHeader("Content-Encoding", encoding);
    res.sendFile(variant, { cacheControl: false, dotfiles: "deny" }, (error?: Error) => {
      if (error && !res.headersSent) next(error);
    });
  };
}

/**
 * Remix's Express adapter flushes the compressor after every chunk it writes (`res.flush` from `compression`), and a
 * page or a data response arrives in dozens of small chunks: each flush ends a brotli block, so a page was
 * compressed as dozens of pieces, costing CPU and bytes (issue 14). Flushes asked for within one turn of the event
 * loop become one, sent once that turn's writes are in: streamed parts still leave as soon as they are written.
 */
export function coalesceFlushes(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const flushable = res as Response & { flush?: () => void };
    const flush = flushable.flush?.bind(res);
    if (flush) {
      let scheduled = false;
      flushable.flush = () => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (!res.writableEnded) flush();
        });
      };
    }
    next();
  };
}
