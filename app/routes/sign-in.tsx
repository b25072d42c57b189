import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CredentialsForm } from "~/components/credentials-form";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { getRequestSession, safeRedirectPath } from "~/lib/session.server";
import { createSupabaseServerClient } from "~/lib/supabase.server";
import { signInWithPassword } from "~/models/auth.server";
import { signInSchema } from "~/validation/auth";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "signIn.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, headers } = await getRequestSession(request, context);
  if (user) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo")), { headers });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const parsed = parseForm(signInSchema, formData);
  if (!parsed.success) return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values }, 400);
  const { supabase, headers } = createSupabaseServerClient(request, context);
  const { error } = await signInWithPassword(supabase, parsed.data);
  if (error) return data({ fieldErrors: {} as FieldErrors, formError: error, values: formValues(formData) }, 400);
  throw redirect(safeRedirectPath(parsed.data.redirectTo), { headers });
}

export default function SignIn() {
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const redirectTo = result?.values.redirectTo ?? searchParams.get("redirectTo") ?? "";
  return (
    <div className="page page--narrow">
      <h1>{t("signIn.title")}</h1>
      <p>{t("signIn.intro")}</p>
      <CredentialsForm mode="signIn" result={result}>
        <input type="hidden" name="redirectTo" value={redirectTo} />
      </CredentialsForm>
      <ul className="link-list">
        <li>
          <Link to="/forgot-password">{t("signIn.forgotPassword")}</Link>
        </li>
        <li>
          <Link to="/magic-link">{t("signIn.magicLink")}</Link>
        </li>
        <li>
          {t("signIn.noAccount")} <Link to="/sign-up">{t("signIn.signUpLink")}</Link>
        </li>
      </ul>
    </div>
  );
}
