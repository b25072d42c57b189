import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { getAppEnv } from "~/lib/env.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { createSupabaseServerClient } from "~/lib/supabase.server";
import { sendPasswordReset } from "~/models/auth.server";
import { emailOnlySchema } from "~/validation/auth";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "forgotPassword.title");

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await request.formData();
  const parsed = parseForm(emailOnlySchema, formData);
  if (!parsed.success) return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values, sentTo: null }, 400);
  const { supabase } = createSupabaseServerClient(request, context.clientIp);
  const redirectUrl = new URL("/reset-password", getAppEnv().SITE_URL).toString();
  const { error } = await sendPasswordReset(supabase, parsed.data.email, redirectUrl);
  if (error) return data({ fieldErrors: {} as FieldErrors, formError: error, values: formValues(formData), sentTo: null }, 400);
  return data({ fieldErrors: {} as FieldErrors, formError: null, values: {} as Record<string, string>, sentTo: parsed.data.email });
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <h1>{t("forgotPassword.title")}</h1>
      {result?.sentTo ? (
        <FormNotice title={t("forgotPassword.sentTitle")}>{t("forgotPassword.sentBody", { email: result.sentTo })}</FormNotice>
      ) : (
        <>
          <p>{t("forgotPassword.intro")}</p>
          <FormAlert error={result?.formError} />
          <Form method="post" noValidate className="form">
            <TextField
              name="email"
              type="email"
              label={t("fields.email")}
              autoComplete="email"
              defaultValue={result?.values.email}
              error={result?.fieldErrors.email}
              required
            />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("forgotPassword.submit")}
            </button>
          </Form>
        </>
      )}
      <p>
        <Link to="/sign-in">{t("magicLink.backToSignIn")}</Link>
      </p>
    </div>
  );
}
