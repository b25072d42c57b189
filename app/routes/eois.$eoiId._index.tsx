import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { EoiSummary, Timeline } from "~/components/eoi-summary";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { StatusBadge, TextArea } from "~/components/fields";
import { detectLanguage } from "~/i18n/language.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { answerClarification, findApplicationForEoi, getEoi, getTimeline, withdrawEoi } from "~/models/eois.server";
import { loadReferenceData } from "~/models/reference.server";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "eoiPage.title");

const params = z.object({ eoiId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase, roles, headers } = await requireRoles(request, context);
  const eoi = await getEoi(supabase, eoiId);
  if (!eoi) throw notFound();
  const [reference, timeline, application] = await Promise.all([
    loadReferenceData(supabase, await detectLanguage(request)),
    getTimeline(supabase, eoi.id),
    eoi.status === "validated" ? findApplicationForEoi(supabase, eoi.id) : Promise.resolve(null),
  ]);
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  return data({ eoi, reference, timeline, application, isBdt }, { headers });
}

const eoiForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("answer"),
    answer: z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong"),
  }),
  z.object({ intent: z.literal("withdraw"), reason: z.string().trim().max(2000, "errors.tooLong").optional() }),
]);

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(eoiForm, formData);
  const fail = (formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ formError, errors, values: formValues(formData) }, 400);
  if (!parsed.success) return fail(null, parsed.fieldErrors);
  const done = (result: { error: { code: string } | null }, to: string) =>
    result.error ? fail({ key: `dbErrors.${result.error.code}` }) : redirect(to);

  return dispatchIntent(parsed.data, {
    answer: async ({ answer }) => done(await answerClarification(supabase, eoiId, answer), `/eois/${eoiId}?answered=1`),
    withdraw: async ({ reason }) => done(await withdrawEoi(supabase, eoiId, reason), `/eois/${eoiId}`),
  });
}

export default function EoiPage() {
  const { eoi, reference, timeline, application, isBdt } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const openQuestion = eoi.clarifications.filter((item) => !item.answered_at).at(-1);
  const canEdit = !isBdt && (eoi.status === "draft" || eoi.status === "clarification_requested");
  const canWithdraw = !isBdt && !["validated", "declined", "withdrawn"].includes(eoi.status);
  const recommended = eoi.validation;
  return (
    <div className="page">
      <p>
        {isBdt ? (
          <Link to={`/review/${eoi.id}`}>{t("eoiPage.openValidation")}</Link>
        ) : (
          <Link to="/eois">{t("eoiPage.back")}</Link>
        )}
      </p>
      <h1>{eoi.centre_name || t("eois.untitled")}</h1>
      <p>
        <StatusBadge status={eoi.status} /> {eoi.call?.title}
      </p>
      {searchParams.get("submitted") ? (
        <FormNotice title={t("eoiPage.submittedTitle")}>{t("eoiPage.submittedBody")}</FormNotice>
      ) : null}
      {searchParams.get("answered") ? (
        <FormNotice title={t("eoiPage.answeredTitle")}>{t("eoiPage.answeredBody")}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />

      {eoi.status === "validated" ? (
        <section className="panel panel--highlight" aria-labelledby="invitation-title">
          <h2 id="invitation-title">{t("eoiPage.invitationTitle")}</h2>
          <p>{t("eoiPage.invitationBody")}</p>
          {recommended ? (
            <dl className="facts">
              <dt>{t("review.recommendedType")}</dt>
              <dd>{reference.centreTypes.find((type) => type.code === recommended.recommended_centre_type)?.label}</dd>
              <dt>{t("review.recommendedScope")}</dt>
              <dd>{recommended.recommended_scope ? t(`scopes.${recommended.recommended_scope}`) : null}</dd>
              <dt>{t("review.recommendedCapabilities")}</dt>
              <dd>
                {recommended.recommended_capabilities
                  .map((code) => reference.capabilities.find((item) => item.code === code)?.label)
                  .join(", ")}
              </dd>
              {recommended.notes_to_applicant ? (
                <>
                  <dt>{t("review.notesToApplicant")}</dt>
                  <dd className="prewrap">{recommended.notes_to_applicant}</dd>
                </>
              ) : null}
            </dl>
          ) : null}
          <p>
            {application ? t("eoiPage.applicationStarted") : t("eoiPage.applicationComing")}
            {application ? (
              <>
                {" "}
                <Link to={`/applications/${application.id}`}>{t("applications.openApplication")}</Link>
              </>
            ) : null}
          </p>
        </section>
      ) : null}
      {eoi.status === "declined" && recommended ? (
        <section className="panel" aria-labelledby="declined-title">
          <h2 id="declined-title">{t("eoiPage.declinedTitle")}</h2>
          <p className="prewrap">{recommended.reasons}</p>
          {recommended.notes_to_applicant ? <p className="prewrap">{recommended.notes_to_applicant}</p> : null}
        </section>
      ) : null}

      {openQuestion && !isBdt ? (
        <section className="panel panel--highlight" aria-labelledby="clarify-title">
          <h2 id="clarify-title">{t("eoiPage.clarificationTitle")}</h2>
          <blockquote className="prewrap">{openQuestion.question}</blockquote>
          <p>
            {t("eoiPage.clarificationHelp")} <Link to={`/eois/${eoi.id}/edit/contact`}>{t("eoiPage.editEoi")}</Link> ·{" "}
            <Link to={`/eois/${eoi.id}/edit/attachments`}>{t("eoiPage.addFiles")}</Link>
          </p>
          <Form method="post" noValidate className="form">
            <input type="hidden" name="intent" value="answer" />
            <TextArea
              name="answer"
              label={t("eoiPage.answer")}
              defaultValue={result?.values.answer}
              error={result?.errors.answer}
            />
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("eoiPage.sendAnswer")}
            </button>
          </Form>
        </section>
      ) : null}

      {canEdit && eoi.status === "draft" ? (
        <p>
          <Link to={`/eois/${eoi.id}/edit/contact`} className="button">
            {t("eoiPage.continue")}
          </Link>
        </p>
      ) : null}

      <div className="two-columns">
        <section aria-labelledby="content-title">
          <h2 id="content-title">{t("eoiPage.content")}</h2>
          <EoiSummary eoi={eoi} reference={reference} />
        </section>
        <aside aria-labelledby="history-title">
          <h2 id="history-title">{t("eoiPage.history")}</h2>
          <Timeline entries={timeline} />
          {eoi.clarifications.length > 0 ? (
            <>
              <h3>{t("eoiPage.clarifications")}</h3>
              <ul className="qa">
                {eoi.clarifications.map((item) => (
                  <li key={item.id}>
                    <p>
                      <strong>{t("eoiPage.question")}</strong> <span className="prewrap">{item.question}</span>
                    </p>
                    {item.answer ? (
                      <p>
                        <strong>{t("eoiPage.answer")}</strong> <span className="prewrap">{item.answer}</span>
                      </p>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {canWithdraw ? (
            <details className="danger-zone">
              <summary>{t("eoiPage.withdraw")}</summary>
              <Form method="post" className="form form--compact">
                <input type="hidden" name="intent" value="withdraw" />
                <TextArea name="reason" label={t("eoiPage.withdrawReason")} rows={3} />
                <button type="submit" className="button button--danger">
                  {t("eoiPage.withdrawConfirm")}
                </button>
              </Form>
            </details>
          ) : null}
        </aside>
      </div>
    </div>
  );
}
