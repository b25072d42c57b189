import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import type { FieldError, FieldErrors } from "~/lib/forms";

export interface CredentialsResult {
  fieldErrors: FieldErrors;
  formError: FieldError | null;
  values: Record<string, string>;
}

/**
 * The sign-in and sign-up form (issue 13: one copy): the form's alert, the person's name when signing up, email,
 * password (with the hint and `new-password` autocomplete when signing up) and the submit button. `children` are
 * hidden fields (sign-in's `redirectTo`). Errors and what was typed come back in `result`; passwords never do.
 */
export function CredentialsForm({
  mode,
  result,
  children,
}: {
  mode: "signIn" | "signUp";
  result: CredentialsResult | undefined;
  children?: ReactNode;
}) {
  const navigation = useNavigation();
  const { t } = useTranslation();
  const signingUp = mode === "signUp";
  return (
    <>
      <FormAlert error={result?.formError} />
      <Form method="post" noValidate className="form">
        {children}
        {signingUp ? (
          <TextField
            name="displayName"
            label={t("fields.displayName")}
            autoComplete="name"
            defaultValue={result?.values.displayName}
            error={result?.fieldErrors.displayName}
            required
          />
        ) : null}
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
          hint={signingUp ? t("fields.passwordHint") : undefined}
          autoComplete={signingUp ? "new-password" : "current-password"}
          error={result?.fieldErrors.password}
          required
        />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t(`${mode}.submit`)}
        </button>
      </Form>
    </>
  );
}
