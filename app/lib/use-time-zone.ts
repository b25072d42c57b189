import { useRouteLoaderData } from "@remix-run/react";
import { FALLBACK_TIME_ZONE } from "~/lib/datetime";

/** The zone the root loader read from the reader's cookie: the same on the server and at hydration (issue 17). */
export function useTimeZone(): string {
  const root: unknown = useRouteLoaderData("root");
  const zone = root && typeof root === "object" && "timeZone" in root ? root.timeZone : undefined;
  return typeof zone === "string" ? zone : FALLBACK_TIME_ZONE;
}
