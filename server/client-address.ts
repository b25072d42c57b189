import type { IncomingHttpHeaders } from "node:http";

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/**
 * A browser on this machine: the address Express settled on (after TRUST_PROXY) is loopback, and the request
 * carries no forwarding header. A reverse proxy on the same machine connects from loopback too, and when TRUST_PROXY
 * is unset its X-Forwarded-For is not believed; its presence alone says the request came from elsewhere.
 */
export function isLocalClient(ip: string | undefined, headers: IncomingHttpHeaders): boolean {
  const forwarded = ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"].some(
    (name) => headers[name] !== undefined,
  );
  return isLoopbackAddress(ip) && !forwarded;
}
