import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireUser } from "~/lib/session.server";
import { changePassword } from "~/models/auth.server";
import { newPasswordSchema } from "~/validation/auth";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "resetPassword.title");

/** Reached from the recovery link, which has signed the person in; they choose a new password here. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, headers } = await requireUser(request, context);
  return data({ email: user.email ?? "" }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase, headers } = await requireUser(request, context);
  const parsed = parseForm(newPasswordSchema, await readFormData(request));
  if (!parsed.success) return data({ fieldErrors: parsed.fieldErrors, formError: null, done: false }, 400);
  const { error } = await changePassword(supabase, parsed.data.password);
  if (error) return data({ fieldErrors: {} as FieldErrors, formError: error, done: false }, { status: 400, headers });
  return data({ fieldErrors: {} as FieldErrors, formError: null, done: true }, { headers });
}

export default function ResetPassword() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <h1>{t("resetPassword.title")}</h1>
      {result?.done ? (
        <>
          <FormNotice title={t("resetPassword.done")}>
            <Link to="/home">{t("nav.home")}</Link>
          </FormNotice>
        </>
      ) : (
        <>
          <p>{t("resetPassword.intro", { email })}</p>
          <FormAlert error={result?.formError} />
          <Form method="post" noValidate className="form">
            <TextField
              name="password"
              type="password"
              label={t("fields.newPassword")}
              hint={t("fields.passwordHint")}
              autoComplete="new-password"
              error={result?.fieldErrors.password}
              required
            />
            <TextField
              name="confirmPassword"
              type="password"
              label={t("fields.confirmPassword")}
              autoComplete="new-password"
              error={result?.fieldErrors.confirmPassword}
              required
            />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("resetPassword.submit")}
            </button>
          </Form>
        </>
      )}
    </div>
  );
}
