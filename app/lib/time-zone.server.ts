import { z } from "zod";
import { FALLBACK_TIME_ZONE, isTimeZoneName, TIME_ZONE_COOKIE } from "~/lib/datetime";

/** The reader's zone as the browser names it in the `tz` cookie: a real IANA zone, at most 64 characters. */
export const timeZoneSchema = z.string().refine(isTimeZoneName);

/** The zone named by a cookie header's `tz`, or UTC when absent or not a real zone. */
export function timeZoneFromCookie(cookieHeader: string | null): string {
  const raw = cookieHeader
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${TIME_ZONE_COOKIE}=`))
    ?.slice(TIME_ZONE_COOKIE.length + 1);
  if (!raw) return FALLBACK_TIME_ZONE;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return FALLBACK_TIME_ZONE;
  }
  const parsed = timeZoneSchema.safeParse(decoded);
  return parsed.success ? parsed.data : FALLBACK_TIME_ZONE;
}
