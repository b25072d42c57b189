import http from "node:http";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import WebSocket from "ws";
import type { Database } from "../../app/lib/database.types";
import { stack } from "./supabase";

/**
 * A `fetch` whose connections leave from another loopback address (127.0.0.2, 127.0.0.3, …), so the server sees
 * a different client by its peer address alone, with no forwarded header to trust.
 */
export function fetchFrom(localAddress: string): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    if (body) headers["content-length"] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const outgoing = http.request(
        {
          host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: request.method,
          headers: { ...headers, host: url.host },
          localAddress,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (typeof value === "string") responseHeaders.set(name, value);
              else if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
            }
            const status = incoming.statusCode ?? 500;
            const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(payload, { status, headers: responseHeaders }));
          });
          incoming.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  };
}

/** An in-memory storage, as a browser's localStorage would hold the PKCE code verifier. */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

/** A supabase-js client configured as `@supabase/ssr` configures one: the PKCE flow, with a storage. */
export function pkceClient(options: { url?: string; anonKey?: string; fetch?: typeof fetch } = {}) {
  const storage = new MemoryStorage();
  const client: SupabaseClient<Database> = createClient<Database>(
    options.url ?? stack().url,
    options.anonKey ?? stack().anonKey,
    {
      auth: { flowType: "pkce", storage, persistSession: true, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
      global: options.fetch ? { fetch: options.fetch } : undefined,
    },
  );
  return { client, storage };
}

/** A plain client whose requests come from another loopback address. */
export function clientFrom(localAddress: string, options: { url?: string; anonKey?: string } = {}) {
  return createClient<Database>(options.url ?? stack().url, options.anonKey ?? stack().anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
    global: { fetch: fetchFrom(localAddress) },
  });
}
