import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/lib/meta";
import { safeRedirectPath } from "~/lib/session.server";
import { createSupabaseServerClient } from "~/lib/supabase.server";
import { verifyEmailLink } from "~/models/auth.server";
import { confirmParamsSchema } from "~/validation/auth";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "confirm.title");

/** Every mail link lands here: the token hash is verified server-side and the session cookies are set. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const params = confirmParamsSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success) return null;
  const { supabase, headers } = createSupabaseServerClient(request, context);
  const { ok } = await verifyEmailLink(supabase, params.data.token_hash, params.data.type);
  if (!ok) return null;
  // Recovery and invitation links both end with choosing a password.
  const next =
    params.data.type === "recovery" || params.data.type === "invite"
      ? "/reset-password"
      : safeRedirectPath(params.data.next);
  throw redirect(next, { headers });
}

export default function ConfirmFailed() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <h1>{t("confirm.title")}</h1>
      <p>{t("confirm.body")}</p>
      <ul className="link-list">
        <li>
          <Link to="/magic-link">{t("confirm.newMagicLink")}</Link>
        </li>
        <li>
          <Link to="/forgot-password">{t("confirm.newReset")}</Link>
        </li>
      </ul>
    </div>
  );
}
