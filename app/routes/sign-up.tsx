import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CredentialsForm } from "~/components/credentials-form";
import { FormNotice } from "~/components/form-alert";
import { detectLanguage } from "~/i18n/language.server";
import { getAppEnv } from "~/lib/env.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { getRequestSession } from "~/lib/session.server";
import { createSupabaseLinkMailClient, createSupabaseServerClient } from "~/lib/supabase.server";
import { signUpApplicant } from "~/models/auth.server";
import { signUpSchema } from "~/validation/auth";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "signUp.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, headers } = await getRequestSession(request, context);
  if (user) throw redirect("/home", { headers });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const parsed = parseForm(signUpSchema, formData);
  if (!parsed.success) {
    return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values, sentTo: null }, 400);
  }
  const { supabase, headers } = createSupabaseServerClient(request, context);
  const result = await signUpApplicant(supabase, createSupabaseLinkMailClient(context), {
    ...parsed.data,
    locale: await detectLanguage(request),
    confirmUrl: new URL("/home", getAppEnv().SITE_URL).toString(),
  });
  if (result.error) {
    return data(
      { fieldErrors: {} as FieldErrors, formError: result.error, values: formValues(formData), sentTo: null },
      400,
    );
  }
  if (result.signedIn) throw redirect("/home", { headers });
  return data({
    fieldErrors: {} as FieldErrors,
    formError: null,
    values: {} as Record<string, string>,
    sentTo: parsed.data.email,
  });
}

export default function SignUp() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  if (result?.sentTo) {
    return (
      <div className="page page--narrow">
        <h1>{t("signUp.title")}</h1>
        <FormNotice title={t("signUp.checkEmailTitle")}>
          {t("signUp.checkEmailBody", { email: result.sentTo })}
        </FormNotice>
      </div>
    );
  }
  return (
    <div className="page page--narrow">
      <h1>{t("signUp.title")}</h1>
      <p>{t("signUp.intro")}</p>
      <CredentialsForm mode="signUp" result={result} />
      <p>
        {t("signUp.haveAccount")} <Link to="/sign-in">{t("nav.signIn")}</Link>
      </p>
    </div>
  );
}
