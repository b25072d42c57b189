import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getFixedTFor } from "~/i18n/language.server";
import { getAppEnv } from "~/lib/env.server";
import { notFound, parseParams } from "~/lib/form-data.server";
import { createSupabaseServerClient } from "~/lib/supabase.server";
import { calendarResponse, personalFeed } from "~/models/calendar.server";

/** "/calendar/<secret>.ics": the secret is 64 hex digits; anything else is a feed that does not exist. */
const params = z.object({ feed: z.string().regex(/^[0-9a-f]{64}\.ics$/) });

/** A person's deadlines (issue 17), for a calendar app holding the secret address; no session, no cookie. */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { feed } = parseParams(params, raw);
  // Anonymous on purpose: the secret, checked by the database against its stored hash, is the only credential.
  const { supabase } = createSupabaseServerClient(new Request(request.url), context);
  const text = await personalFeed(supabase, feed.slice(0, 64), getAppEnv().SITE_URL, getFixedTFor);
  if (!text) throw notFound();
  return calendarResponse(text, "accelerator-network.ics");
}
