/**
 * One way to show a moment on every page (issue 17): in the reader's time zone, with that zone named. The zone comes
 * from the browser (a cookie set by `TimeZoneSync` in app/root.tsx), validated here; without one it is UTC, named
 * "UTC". The server and the browser format with the same zone (the root loader's), so hydration agrees.
 */
export const TIME_ZONE_COOKIE = "tz";
export const FALLBACK_TIME_ZONE = "UTC";

let supportedZones: Set<string> | null = null;
function isSupportedZone(zone: string): boolean {
  supportedZones ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (zone === FALLBACK_TIME_ZONE || supportedZones.has(zone)) return true;
  // ICU versions differ in which alias is canonical (Asia/Calcutta or Asia/Kolkata): accept what formats.
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone.length > 0;
  } catch {
    return false;
  }
}

/**
 * A real IANA zone name (or UTC). The browser checks its own zone with this before asking the server to re-render;
 * the server's check of the cookie is the zod schema in time-zone.server.ts, built on this. No zod here: this module
 * is in every page's scripts, and zod (22 KB of its 112 KB brotli) would ride on every first visit (issue 14).
 */
export function isTimeZoneName(zone: string): boolean {
  return zone.length <= 64 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) && isSupportedZone(zone);
}

/**
 * One formatter per language and zone: building an Intl.DateTimeFormat costs about half a millisecond, and the
 * validation queue renders dozens of times per page (issue 14). Bounded all the same.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** "2 December 2026, 09:00 GMT+9": date, time and the zone's name, in the reader's language. */
export function formatDateTime(iso: string | Date, language: string, zone: string): string {
  const key = `${language}|${zone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    // dateStyle/timeStyle cannot be combined with timeZoneName, so the parts are spelled out.
    format = new Intl.DateTimeFormat(language, {
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: zone,
      timeZoneName: "short",
    });
    if (dateTimeFormats.size < 100) dateTimeFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** For CSV files: ISO 8601 in UTC ("2026-12-02T09:00:00Z"), whatever the reader's zone. */
export function formatUtcIso(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
}
