import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
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
  const navigation = useNavigation();
  const { t } = useTranslation();
  const redirectTo = result?.values.redirectTo ?? searchParams.get("redirectTo") ?? "";
  return (
    <div className="page page--narrow">
      <h1>{t("signIn.title")}</h1>
      <p>{t("signIn.intro")}</p>
      <FormAlert error={result?.formError} />
      <Form method="post" noValidate className="form">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          name="email"
          type="email"
          label={t("fields.email")}
          autoComplete="email"
          defaultValue={result?.values.email}
          error={result?.fieldErrors.email}
          required
        />
        <TextField
          name="password"
          type="password"
          label={t("fields.password")}
          autoComplete="current-password"
          error={result?.fieldErrors.password}
          required
        />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("signIn.submit")}
        </button>
      </Form>
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
