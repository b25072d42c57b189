import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { LocalTime } from "~/components/fields";
import { TextField } from "~/components/text-field";
import { getFixedT } from "~/i18n/language.server";
import { getAppEnv } from "~/lib/env.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { getOrganisation, inviteColleague } from "~/models/organisations.server";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "organisations.page");

const params = z.object({ organisationId: z.uuid() });
const inviteSchema = z.object({ email: z.string().trim().max(254, "errors.tooLong").pipe(z.email("errors.email")) });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { organisationId } = parseParams(params, raw);
  const { supabase, headers } = await requireRoles(request, context);
  const organisation = await getOrganisation(supabase, organisationId);
  if (!organisation) throw notFound();
  return data({ organisation }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { organisationId } = parseParams(params, raw);
  const { supabase, user } = await requireRoles(request, context, ["applicant"]);
  const formData = await readFormData(request);
  const parsed = parseForm(inviteSchema, formData);
  if (!parsed.success)
    return data({ errors: parsed.fieldErrors, formError: null, values: parsed.values, outcome: null }, 400);
  const result = await inviteColleague(supabase, organisationId, parsed.data.email);
  if (result.error) {
    return data(
      {
        errors: {} as FieldErrors,
        formError: { key: `dbErrors.${result.error.code}` },
        values: formValues(formData),
        outcome: null,
      },
      400,
    );
  }
  if (result.data === "invited" && context.mailer) {
    // The invitee has no account yet, so no notification row can reach them: the app mails them directly.
    const t = await getFixedT(request);
    const organisation = await getOrganisation(supabase, organisationId);
    const signUp = new URL("/sign-up", getAppEnv().SITE_URL).toString();
    await context.mailer.send({
      to: parsed.data.email,
      subject: t("organisations.inviteMailSubject", { organisation: organisation?.name ?? "" }),
      text: t("organisations.inviteMailBody", {
        name: user.email,
        organisation: organisation?.name ?? "",
        link: signUp,
        email: parsed.data.email,
      }),
    });
  }
  return data({
    errors: {} as FieldErrors,
    formError: null,
    values: {} as Record<string, string>,
    outcome: result.data,
  });
}

export default function OrganisationPage() {
  const { organisation } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const pending = organisation.invitations.filter((invitation) => !invitation.accepted_at);
  return (
    <div className="page">
      <h1>{organisation.name}</h1>
      <p className="muted">
        {t(`organisations.kinds.${organisation.kind}`)} ·{" "}
        {new Intl.DisplayNames(undefined, { type: "region" }).of(organisation.country_code)}
      </p>
      {result?.outcome ? (
        <FormNotice title={t(`organisations.outcome.${result.outcome}`)}>{t("organisations.outcomeBody")}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />
      <section aria-labelledby="members-title">
        <h2 id="members-title">{t("organisations.members", { count: organisation.members.length })}</h2>
        {pending.length > 0 ? (
          <>
            <h3>{t("organisations.pending")}</h3>
            <ul>
              {pending.map((invitation) => (
                <li key={invitation.email}>
                  {invitation.email} · <LocalTime iso={invitation.invited_at} />
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="invite-colleague-title">
        <h2 id="invite-colleague-title">{t("organisations.inviteColleague")}</h2>
        <p>{t("organisations.inviteColleagueIntro")}</p>
        <Form method="post" noValidate className="form form--compact">
          <TextField
            name="email"
            type="email"
            label={t("fields.email")}
            defaultValue={result?.values.email}
            error={result?.errors.email}
          />
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            {t("organisations.sendInvitation")}
          </button>
        </Form>
      </section>
    </div>
  );
}
