import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { EmailLinkRequest } from "~/components/email-link-request";
import { getAppEnv } from "~/lib/env.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { createSupabaseLinkMailClient } from "~/lib/supabase.server";
import { sendPasswordReset } from "~/models/auth.server";
import { emailOnlySchema } from "~/validation/auth";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "forgotPassword.title");

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const parsed = parseForm(emailOnlySchema, formData);
  if (!parsed.success)
    return data({ fieldErrors: parsed.fieldErrors, formError: null, values: parsed.values, sentTo: null }, 400);
  const mailClient = createSupabaseLinkMailClient(context);
  const redirectUrl = new URL("/reset-password", getAppEnv().SITE_URL).toString();
  const { error } = await sendPasswordReset(mailClient, parsed.data.email, redirectUrl);
  if (error)
    return data({ fieldErrors: {} as FieldErrors, formError: error, values: formValues(formData), sentTo: null }, 400);
  return data({
    fieldErrors: {} as FieldErrors,
    formError: null,
    values: {} as Record<string, string>,
    sentTo: parsed.data.email,
  });
}

export default function ForgotPassword() {
  return <EmailLinkRequest keys="forgotPassword" result={useActionData<typeof action>()} />;
}
