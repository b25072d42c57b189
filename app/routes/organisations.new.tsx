import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "~/components/form-alert";
import { SelectField } from "~/components/fields";
import { TextField } from "~/components/text-field";
import { detectLanguage } from "~/i18n/language.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { organisationKinds } from "~/lib/enums";
import { pageTitle } from "~/lib/meta";
import { requireRoles, safeRedirectPath } from "~/lib/session.server";
import { registerOrganisation } from "~/models/organisations.server";
import { loadReferenceData } from "~/models/reference.server";
import { organisationFormSchema } from "~/validation/eoi";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "organisations.new");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers } = await requireRoles(request, context, ["applicant"]);
  const { countries } = await loadReferenceData(supabase, await detectLanguage(request));
  return data({ countries }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  const formData = await readFormData(request);
  const parsed = parseForm(organisationFormSchema, formData);
  if (!parsed.success) return data({ errors: parsed.fieldErrors, formError: null, values: parsed.values }, 400);
  const { redirectTo, website, contact_email, ...rest } = parsed.data;
  const result = await registerOrganisation(supabase, {
    ...rest,
    website: website || undefined,
    contact_email: contact_email || undefined,
  });
  if (result.error) {
    return data(
      {
        errors: result.error.fieldErrors ?? ({} as FieldErrors),
        formError: { key: `dbErrors.${result.error.code}` },
        values: formValues(formData),
      },
      400,
    );
  }
  throw redirect(safeRedirectPath(redirectTo, "/eois"));
}

export default function NewOrganisation() {
  const { countries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = result?.errors ?? ({} as FieldErrors);
  const values = result?.values ?? {};
  return (
    <div className="page page--form">
      <h1>{t("organisations.new")}</h1>
      <p>{t("organisations.intro")}</p>
      <FormAlert error={result?.formError ?? (Object.keys(errors).length ? { key: "errors.formHasErrors" } : null)} />
      <Form method="post" noValidate className="form">
        <input type="hidden" name="redirectTo" value={values.redirectTo ?? searchParams.get("redirectTo") ?? ""} />
        <TextField
          name="name"
          label={t("organisations.fields.name")}
          defaultValue={values.name}
          error={errors.name}
          maxLength={200}
        />
        <SelectField
          name="kind"
          label={t("organisations.fields.kind")}
          placeholder={t("common.choose")}
          defaultValue={values.kind}
          error={errors.kind}
          options={organisationKinds.map((kind) => ({ value: kind, label: t(`organisations.kinds.${kind}`) }))}
        />
        <SelectField
          name="country_code"
          label={t("organisations.fields.country")}
          placeholder={t("common.choose")}
          defaultValue={values.country_code}
          error={errors.country_code}
          options={countries.map((country) => ({ value: country.code, label: country.label }))}
        />
        <TextField
          name="website"
          label={t("organisations.fields.website")}
          defaultValue={values.website}
          error={errors.website}
          hint={t("organisations.fields.websiteHint")}
        />
        <TextField
          name="contact_email"
          type="email"
          label={t("organisations.fields.contactEmail")}
          defaultValue={values.contact_email}
          error={errors.contact_email}
        />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("organisations.register")}
        </button>
      </Form>
    </div>
  );
}
