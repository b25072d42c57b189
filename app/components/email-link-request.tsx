import { Form, Link, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import type { FieldError, FieldErrors } from "~/lib/forms";

export interface EmailLinkResult {
  fieldErrors: FieldErrors;
  formError: FieldError | null;
  values: Record<string, string>;
  sentTo: string | null;
}

/**
 * "Email me a link" pages (magic link, password reset): one email field, then the same answer whether or not the
 * address has an account. `keys` names the page's i18n namespace (title, intro, submit, sentTitle, sentBody).
 */
export function EmailLinkRequest({
  keys,
  result,
}: {
  keys: "magicLink" | "forgotPassword";
  result: EmailLinkResult | undefined;
}) {
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <h1>{t(`${keys}.title`)}</h1>
      {result?.sentTo ? (
        <FormNotice title={t(`${keys}.sentTitle`)}>{t(`${keys}.sentBody`, { email: result.sentTo })}</FormNotice>
      ) : (
        <>
          <p>{t(`${keys}.intro`)}</p>
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
              {t(`${keys}.submit`)}
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
