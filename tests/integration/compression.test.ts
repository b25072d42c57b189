import http from "node:http";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import ar from "../../app/i18n/locales/ar.json";
import en from "../../app/i18n/locales/en.json";
import fr from "../../app/i18n/locales/fr.json";
import { postTo } from "../support/http";
import { stack } from "../support/supabase";

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire. */
  raw: Buffer;
  /** The body decoded by its Content-Encoding. */
  text: string;
}

/** A GET that shows the wire as it is (fetch would decode the body and hide nothing but the header). */
function get(path: string, acceptEncoding: string | null, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${stack().url}${path}`,
      { headers: { ...(acceptEncoding === null ? {} : { "accept-encoding": acceptEncoding }), ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const raw = Buffer.concat(chunks);
          const encoding = response.headers["content-encoding"];
          const decoded =
            encoding === "br" ? zlib.brotliDecompressSync(raw) : encoding === "gzip" ? zlib.gunzipSync(raw) : raw;
          resolve({ status: response.statusCode ?? 0, headers: response.headers, raw, text: decoded.toString("utf8") });
        });
      },
    );
    request.on("error", reject);
  });
}

const scriptSources = (html: string) => [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!);
const moduleImports = (html: string) =>
  [...html.matchAll(/(?:import\s*(?:[\w{}\s,*]+from\s*)?|href=)["'](\/assets\/[^"']+\.js)["']/g)].map(
    (match) => match[1]!,
  );

/** The strings a page carries for hydration (app/i18n/page-strings.ts). */
function pageStrings(html: string): Record<string, unknown> {
  const json = html.match(/<script type="application\/json" id="page-strings"[^>]*>([^<]*)<\/script>/)?.[1];
  expect(json, "the page carries its strings").toBeDefined();
  return JSON.parse(json!) as Record<string, unknown>;
}

function strings(tree: unknown): string[] {
  if (typeof tree === "string") return [tree];
  if (tree && typeof tree === "object") return Object.values(tree).flatMap(strings);
  return [];
}

/** Everything a page loads to run: its scripts, the modules they import, and what it preloads (strings). */
async function everythingLoadedBy(html: string): Promise<{ seen: Set<string>; loaded: string }> {
  const seen = new Set<string>();
  const queue = [
    ...scriptSources(html),
    ...moduleImports(html),
    ...[...html.matchAll(/<link\b[^>]*rel="(?:modulepreload|preload)"[^>]*href="([^"]+)"/g)].map((match) => match[1]!),
  ];
  let loaded = html;
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (seen.has(url) || !url.startsWith("/")) continue;
    seen.add(url);
    const response = await get(url, "br");
    expect(response.status, url).toBe(200);
    loaded += `\n${response.text}`;
    if (url.endsWith(".js"))
      for (const match of response.text.matchAll(/["'](?:\.\/|\/assets\/)([\w.-]+\.js)["']/g))
        queue.push(`/assets/${match[1]}`);
  }
  return { seen, loaded };
}

describe("compressed responses", () => {
  it("pages come brotli-compressed to a client accepting br, gzip-compressed to one accepting only gzip", async () => {
    const identity = await get("/", "identity");
    expect(identity.status).toBe(200);
    expect(identity.headers["content-encoding"]).toBeUndefined();

    const br = await get("/", "gzip, deflate, br");
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary?.toLowerCase()).toContain("accept-encoding");
    expect(br.headers["content-type"]).toMatch(/^text\/html/);
    expect(br.text).toContain("<html");
    expect(br.raw.length).toBeLessThan(identity.raw.length / 2);
    // The site stylesheet comes in the page (one request less before the first paint), carrying the CSP nonce.
    const nonce = /'nonce-([^']+)'/.exec(String(br.headers["content-security-policy"]))?.[1];
    expect(br.text).toMatch(new RegExp(`<style id="site-stylesheet" nonce="${nonce?.replace(/[+/]/g, "\\$&")}">`));
    expect(String(br.headers["content-security-policy"])).toMatch(/style-src 'self' 'nonce-/);

    const gzip = await get("/centres", "gzip");
    expect(gzip.status).toBe(200);
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.text).toContain("<html");
    // Security headers survive compression.
    expect(br.headers["content-security-policy"]).toContain("script-src 'self' 'nonce-");
    expect(gzip.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("JSON from the Supabase gateway is compressed too", async () => {
    const response = await get("/rest/v1/centre_types?select=*", "br", {
      apikey: stack().anonKey,
      authorization: `Bearer ${stack().anonKey}`,
    });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(response.text)).toEqual(expect.any(Array));
  });

  it("hashed assets are served precompressed (br or gzip as accepted) with a year of immutable caching", async () => {
    const page = await get("/", "identity");
    const script = scriptSources(page.text).find((src) => src.startsWith("/assets/")) ?? moduleImports(page.text)[0];
    expect(script).toMatch(/^\/assets\/.+\.js$/);

    const plain = await get(script!, "identity");
    for (const [accept, encoding, decode] of [
      ["br;q=1.0, gzip;q=0.8", "br", zlib.brotliDecompressSync],
      ["gzip", "gzip", zlib.gunzipSync],
    ] as const) {
      const response = await get(script!, accept);
      expect(response.status).toBe(200);
      expect(response.headers["content-encoding"]).toBe(encoding);
      expect(response.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
      expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(response.headers.vary?.toLowerCase()).toContain("accept-encoding");
      expect(decode(response.raw).equals(plain.raw)).toBe(true);
      // Precompressed at build time, at best quality: smaller than on-the-fly compression of the same file.
      expect(response.raw.length).toBeLessThan(plain.raw.length / 2);
    }
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");

    // What Chromium sends: br is listed after gzip with the same weight, and still wins (the smaller file). A client
    // that prefers gzip by weight gets gzip.
    const chromium = await get(script!, "gzip, deflate, br, zstd");
    expect(chromium.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(chromium.raw).equals(plain.raw)).toBe(true);
    const gzipPreferred = await get(script!, "br;q=0.5, gzip");
    expect(gzipPreferred.headers["content-encoding"]).toBe("gzip");
    const refused = await get(script!, "br;q=0, gzip;q=0");
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(refused.raw.equals(plain.raw)).toBe(true);
  });
});

describe("one language at a time", () => {
  it("a page in French carries French strings and no Arabic ones, in its HTML or in any script it loads", async () => {
    // The reader chose French with the language switcher (the cookie it sets).
    const chosen = await postTo("/language", { body: new URLSearchParams({ language: "fr", redirectTo: "/sign-in" }) });
    expect(chosen.status).toBe(302);
    const cookie = chosen.headers
      .getSetCookie()
      .map((value) => value.split(";")[0])
      .join("; ");
    const page = await get("/sign-in", "br", { cookie });
    expect(page.status).toBe(200);
    expect(page.text).toContain('lang="fr"');

    const { loaded: scripts } = await everythingLoadedBy(page.text);
    // The page carries the French strings it shows; its scripts then fetch the whole French set, named in them.
    expect(pageStrings(page.text).signIn).toMatchObject({ submit: fr.signIn.submit });
    const frenchSet = scripts.match(/\/assets\/fr-[\w-]+\.json/)?.[0];
    expect(frenchSet, "the scripts name the French strings").toBeDefined();
    const french = await get(frenchSet!, "br");
    expect(french.status).toBe(200);
    expect(JSON.parse(french.text)).toEqual(fr);
    const loaded = `${scripts}\n${french.text}`;
    const arabic = strings(ar).filter((text) => /[\u0600-\u06FF]/.test(text) && text.length >= 8);
    expect(arabic.length).toBeGreaterThan(100);
    const found = arabic.filter((text) => loaded.includes(text) || loaded.includes(JSON.stringify(text).slice(1, -1)));
    expect(found).toEqual([]);
  });
});

describe("what a first visit loads", () => {
  it("the pages a newcomer opens first load no validation library: zod stays on the server", async () => {
    // zod (about 20 KB brotli) validates every boundary on the server and in the forms that need it; in the scripts
    // of every page it cost a slow link more than a tenth of a second on each first visit (issue 14).
    for (const path of ["/", "/centres", "/sign-in"]) {
      const page = await get(path, "br");
      expect(page.status, path).toBe(200);
      const { seen, loaded } = await everythingLoadedBy(page.text);
      expect([...seen].filter((url) => url.endsWith(".js")).length, path).toBeGreaterThan(1);
      expect(loaded.includes("ZodError"), `${path} loads zod`).toBe(false);
    }
  });

  it("the pages a newcomer opens first load at most six scripts, so none waits for a free connection", async () => {
    // On HTTP/1.1 a browser opens six connections per host: a seventh script waited a whole round trip (issue 14).
    for (const path of ["/", "/centres", "/sign-in", "/sign-up"]) {
      const page = await get(path, "br");
      const { seen } = await everythingLoadedBy(page.text);
      expect([...seen].filter((url) => url.endsWith(".js")).length, path).toBeLessThanOrEqual(6);
      // Their styles are in the page: a stylesheet to fetch would hold back the first paint by a round trip.
      expect(page.text, path).not.toMatch(/<link\b[^>]*rel="stylesheet"/);
    }
  });

  it("a page's headers name every script it preloads, so a slow link fetches them at once", async () => {
    // The browser starts what a Link header names when the headers arrive, before the HTML's own transfer (issue 14).
    const page = await get("/sign-in", "br");
    const link = String(page.headers.link ?? "");
    const preloaded = [...page.text.matchAll(/<link\b[^>]*rel="(?:modulepreload|preload)"[^>]*href="([^"]+)"/g)];
    expect(preloaded.length).toBeGreaterThan(2);
    for (const [, url] of preloaded) expect(link, url).toContain(`<${url!}>; rel=`);
  });

  it("a page carries exactly the strings it shows, and fetches no strings before it has loaded", async () => {
    // The whole set (17 to 22 KB) is fetched after the page's scripts, off the load path of a slow link (issue 14).
    const page = await get("/sign-in", "br");
    expect(String(page.headers.link ?? "")).not.toContain(".json");
    expect(page.text).not.toMatch(/<link\b[^>]*href="\/assets\/[a-z]{2}-[\w-]+\.json"/);
    const strings = pageStrings(page.text);
    expect(strings.signIn).toMatchObject({ title: en.signIn.title, submit: en.signIn.submit });
    expect(strings.fields).toMatchObject({ email: en.fields.email, password: en.fields.password });
    // Nothing the page did not look up: not another page's strings, not the sign-in page's own error messages.
    expect(strings).not.toHaveProperty("board");
    expect(strings).not.toHaveProperty("errors");
    const carried = JSON.stringify(strings).length;
    expect(carried).toBeLessThan(JSON.stringify(en).length / 20);
  });
});
