import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getRequestSession } from "~/lib/session.server";
import { getPlanAccess } from "~/models/plans.server";

const params = z.object({ planId: z.uuid() });

/**
 * The editor asks here before reconnecting after a rights or session change: the answer is the database's, and the
 * response carries a refreshed session cookie for the socket's next upgrade.
 */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const parsed = params.safeParse(raw);
  if (!parsed.success) return json({ access: null }, { status: 404 });
  const session = await getRequestSession(request, context);
  if (!session.user) return json({ access: null }, { status: 401, headers: session.headers });
  const access = await getPlanAccess(session.supabase, parsed.data.planId);
  const headers = new Headers(session.headers);
  headers.set("cache-control", "no-store");
  return json({ access }, { headers });
}
