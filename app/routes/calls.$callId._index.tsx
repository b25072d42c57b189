import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert } from "~/components/form-alert";
import { LocalTime, SelectField, StatusBadge, TimeLeft } from "~/components/fields";
import { TextField } from "~/components/text-field";
import { detectLanguage } from "~/i18n/language.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { getRequestSession, requireRoles } from "~/lib/session.server";
import { closeCall, countEoisByStatus, extendDeadline, getCall, openCall } from "~/models/calls.server";
import { startEoi } from "~/models/eois.server";
import { listMyOrganisations, listAllOrganisations } from "~/models/organisations.server";
import { listOwnRoles } from "~/models/profile.server";
import { loadReferenceData } from "~/models/reference.server";
import { extendDeadlineSchema, utcInputToIso } from "~/validation/eoi";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction<typeof loader> = ({ data: loaderData, matches }) =>
  loaderData ? [{ title: loaderData.call.title }] : pageTitle(matches, "calls.title");

const params = z.object({ callId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { callId } = parseParams(params, raw);
  const { supabase, user, headers } = await getRequestSession(request, context);
  const call = await getCall(supabase, callId);
  if (!call) throw notFound();
  const roles = user ? await listOwnRoles(supabase) : [];
  const isCoordinator = roles.includes("coordinator");
  const [reference, organisations, counts, allOrganisations] = await Promise.all([
    loadReferenceData(supabase, await detectLanguage(request)),
    user && roles.includes("applicant") ? listMyOrganisations(supabase, user.id) : Promise.resolve([]),
    isCoordinator ? countEoisByStatus(supabase, call.id) : Promise.resolve(null),
    isCoordinator ? listAllOrganisations(supabase) : Promise.resolve([]),
  ]);
  const allowed = reference.centreTypes.filter(
    (type) => call.allowed_centre_types.length === 0 || call.allowed_centre_types.includes(type.code),
  );
  const open =
    call.status === "open" &&
    new Date(call.opens_at).getTime() <= Date.now() &&
    new Date(call.closes_at).getTime() > Date.now();
  return data(
    {
      call,
      open,
      allowed,
      signedIn: Boolean(user),
      isApplicant: roles.includes("applicant"),
      isCoordinator,
      organisations,
      counts,
      allOrganisations,
    },
    { headers },
  );
}

const callForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start"), organisation: z.uuid() }),
  z.object({ intent: z.literal("open") }),
  z.object({ intent: z.literal("close") }),
  extendDeadlineSchema.extend({ intent: z.literal("extend") }),
]);

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { callId } = parseParams(params, raw);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(callForm, formData);
  // Applicants start an EoI from this page; everything else here is the coordinator's.
  const { supabase } = await requireRoles(request, context, [
    (parsed.success ? parsed.data.intent : parsed.intent) === "start" ? "applicant" : "coordinator",
  ]);
  const fail = (intent: string, error: FieldError, errors: FieldErrors = {}, status = 400) =>
    data(
      { intent, formError: error, errors, values: formValues(formData), existingEoi: null as string | null },
      status,
    );
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (result: { error: { code: string } | null }) =>
    result.error
      ? fail(form.intent, { key: `dbErrors.${result.error.code}` })
      : data({
          intent: form.intent,
          formError: null,
          errors: {} as FieldErrors,
          values: {} as Record<string, string>,
          existingEoi: null as string | null,
        });

  return dispatchIntent(form, {
    start: async ({ organisation }) => {
      const result = await startEoi(supabase, callId, organisation);
      if (result.error?.code === "eoi_exists") {
        // One live EoI per institution and call: point to the one that exists instead of starting another.
        return data(
          {
            intent: form.intent,
            formError: { key: "dbErrors.eoi_exists" } as FieldError,
            errors: {} as FieldErrors,
            values: formValues(formData),
            existingEoi: z.uuid().safeParse(result.error.details).data ?? null,
          },
          409,
        );
      }
      return result.error ? done(result) : redirect(`/eois/${result.data}/edit/contact`);
    },
    open: async () => done(await openCall(supabase, callId)),
    close: async () => done(await closeCall(supabase, callId)),
    extend: async ({ closes_at, organisation, reason }) =>
      done(
        await extendDeadline(supabase, {
          call: callId,
          new_closes_at: utcInputToIso(closes_at),
          organisation,
          reason,
        }),
      ),
  });
}

export default function CallPage() {
  const { call, open, allowed, signedIn, isApplicant, isCoordinator, organisations, counts, allOrganisations } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  return (
    <div className="page">
      <p>
        <Link to="/calls">{t("calls.back")}</Link>
      </p>
      <h1>{call.title}</h1>
      <p>
        <StatusBadge status={`call_${call.status}`} />
      </p>
      <FormAlert error={result?.formError} />
      {result && "existingEoi" in result && result.existingEoi ? (
        <p>
          <Link to={`/eois/${result.existingEoi}`} className="button">
            {t("calls.openExistingEoi")}
          </Link>
        </p>
      ) : null}
      <div className="two-columns">
        <section aria-labelledby="call-about">
          <h2 id="call-about">{t("calls.about")}</h2>
          <p className="prewrap">{call.description}</p>
          <h3>{t("calls.whoMayApply")}</h3>
          <p>{t("calls.whoMayApplyBody")}</p>
          <ul>
            {allowed.map((type) => (
              <li key={type.code}>{type.label}</li>
            ))}
          </ul>
        </section>
        <aside className="panel" aria-labelledby="call-dates">
          <h2 id="call-dates">{t("calls.dates")}</h2>
          <dl className="facts">
            <dt>{t("calls.opens")}</dt>
            <dd>
              <LocalTime iso={call.opens_at} />
            </dd>
            <dt>{t("calls.deadline")}</dt>
            <dd>
              <LocalTime iso={call.closes_at} />
            </dd>
            <dt>{t("calls.remaining")}</dt>
            <dd>
              <TimeLeft until={call.closes_at} />
            </dd>
          </dl>
          <p>
            {/* A file download, not a page: a plain link, so Remix does not route it client-side. */}
            <a href={`/calls/${call.id}/calendar.ics`} download>
              {t("calendar.addToCalendar")}
            </a>
          </p>
          {isApplicant && open ? (
            organisations.length === 0 ? (
              <p>
                <Link to={`/organisations/new?redirectTo=/calls/${call.id}`} className="button">
                  {t("calls.registerFirst")}
                </Link>
              </p>
            ) : (
              <Form method="post" className="form form--compact">
                <input type="hidden" name="intent" value="start" />
                <SelectField
                  name="organisation"
                  label={t("calls.applyAs")}
                  options={organisations.map((org) => ({ value: org.id, label: org.name }))}
                />
                <button type="submit" className="button" disabled={navigation.state === "submitting"}>
                  {t("calls.startEoi")}
                </button>
              </Form>
            )
          ) : null}
          {!signedIn && open ? (
            <p>
              <Link to={`/sign-in?redirectTo=/calls/${call.id}`} className="button">
                {t("calls.signInToApply")}
              </Link>
            </p>
          ) : null}
          {!open ? <p className="muted">{t("calls.closedExplain")}</p> : null}
        </aside>
      </div>
      {isCoordinator ? (
        <section aria-labelledby="call-manage" className="panel">
          <h2 id="call-manage">{t("calls.manage")}</h2>
          {counts && Object.keys(counts).length > 0 ? (
            <dl className="counts">
              {Object.entries(counts).map(([status, count]) => (
                <div key={status}>
                  <dt>
                    <StatusBadge status={status} />
                  </dt>
                  <dd>{count}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p>{t("calls.noSubmissions")}</p>
          )}
          <div className="actions">
            <Link to={`/calls/${call.id}/edit`} className="button button--secondary">
              {t("calls.edit")}
            </Link>
            {call.status !== "open" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="open" />
                <button className="button" type="submit">
                  {t("calls.open")}
                </button>
              </Form>
            ) : (
              <Form method="post">
                <input type="hidden" name="intent" value="close" />
                <button className="button button--secondary" type="submit">
                  {t("calls.close")}
                </button>
              </Form>
            )}
          </div>
          <Form method="post" className="form form--compact" noValidate>
            <h3>{t("calls.extend")}</h3>
            <input type="hidden" name="intent" value="extend" />
            <div className={result?.errors && "closes_at" in result.errors ? "field field--invalid" : "field"}>
              <label htmlFor="field-closes_at">{t("calls.fields.newDeadline")}</label>
              <input
                id="field-closes_at"
                name="closes_at"
                type="datetime-local"
                defaultValue={result?.values.closes_at}
                aria-invalid={result?.errors.closes_at ? true : undefined}
                aria-describedby={result?.errors.closes_at ? "field-closes_at-error" : undefined}
              />
              {result?.errors.closes_at ? (
                <p id="field-closes_at-error" className="field__error">
                  {t(result.errors.closes_at.key)}
                </p>
              ) : null}
            </div>
            <SelectField
              name="organisation"
              label={t("calls.fields.extendFor")}
              placeholder={t("calls.fields.everyone")}
              options={allOrganisations.map((org) => ({ value: org.id, label: org.name }))}
              defaultValue={result?.values.organisation}
            />
            <TextField
              name="reason"
              label={t("calls.fields.reason")}
              defaultValue={result?.values.reason}
              maxLength={2000}
            />
            <button type="submit" className="button button--secondary">
              {t("calls.extendSubmit")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
