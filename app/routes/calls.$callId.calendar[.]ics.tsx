import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getFixedT } from "~/i18n/language.server";
import { getAppEnv } from "~/lib/env.server";
import { notFound, parseParams } from "~/lib/form-data.server";
import { getRequestSession } from "~/lib/session.server";
import { calendarResponse, callCalendar } from "~/models/calendar.server";

const params = z.object({ callId: z.uuid() });

/** A call's dates as an iCalendar file (issue 17), for whoever may read the call. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { callId } = parseParams(params, raw);
  const { supabase } = await getRequestSession(request, context);
  const text = await callCalendar(supabase, callId, await getFixedT(request), getAppEnv().SITE_URL);
  if (!text) throw notFound();
  return calendarResponse(text, `call-${callId}.ics`);
}
