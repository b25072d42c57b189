import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { dbErrorOf } from "~/lib/db-error";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ApplicationAnswers, CentreProfile, PlanVersionFacts, RevisionCycle } from "~/components/application-summary";
import { AttachmentList, AttachmentUpload } from "~/components/attachment-upload";
import { Timeline } from "~/components/eoi-summary";
import { ChoiceGroup, LocalTime, StatusBadge, TextArea } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { PlanLanguageChoice } from "~/components/plan-language";
import { detectLanguage } from "~/i18n/language.server";
import { asList, type FieldError, type FieldErrors, formValues } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import {
  getApplication,
  getApplicationTimeline,
  getBdtReview,
  listDecisions,
  saveAndSubmitApplication,
  saveApplication,
  sendToBoard,
  startBdtReview,
} from "~/models/applications.server";
import { listApplicationAttachments } from "~/models/attachments.server";
import { loadReferenceData } from "~/models/reference.server";
import { getApplicationPlanLanguage, setPlanLanguage } from "~/models/plan-language.server";
import { planLanguageFormSchema } from "~/validation/plan-language";
import {
  applicationFields,
  applicationFormSchema,
  bdtChecklistItems,
  missingFields,
  missingPlanParts,
  sendToBoardSchema,
  type MissingPlanPart,
  startReviewSchema,
  voteChoices,
} from "~/validation/applications";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "applications.pageTitle");

const params = z.object({ applicationId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { applicationId } = parseParams(params, raw);
  const { supabase, roles, headers } = await requireRoles(request, context);
  const application = await getApplication(supabase, applicationId);
  // The chair is told when an application reaches the Board, but sees it only through a packet, after declaring.
  if (!application && roles.includes("board_chair")) throw redirect(`/board?application=${applicationId}`, { headers });
  if (!application) throw notFound();
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  const [reference, timeline, decisions, bdtReview, attachments, planLanguage] = await Promise.all([
    loadReferenceData(supabase, await detectLanguage(request)),
    getApplicationTimeline(supabase, application.id),
    listDecisions(supabase, application.id),
    isBdt ? getBdtReview(supabase, application.id) : Promise.resolve(null),
    listApplicationAttachments(supabase, application.id),
    getApplicationPlanLanguage(supabase, application.id),
  ]);
  return data(
    { application, reference, timeline, decisions, bdtReview, isBdt, attachments, planLanguage },
    { headers },
  );
}

/** The ticked checklist boxes as the record the database stores; unknown items are ignored. */
const checklist = z
  .preprocess(asList, z.array(z.string()))
  .transform((ticked) => Object.fromEntries(bdtChecklistItems.map((item) => [item, ticked.includes(item)])));
const applicationForm = z.discriminatedUnion("intent", [
  applicationFormSchema.extend({ intent: z.literal("save") }),
  applicationFormSchema.extend({ intent: z.literal("submit") }),
  startReviewSchema.extend({ intent: z.literal("start"), checklist }),
  sendToBoardSchema.extend({ intent: z.literal("send") }),
  planLanguageFormSchema.extend({ intent: z.literal("plan-language") }),
]);

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { applicationId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(applicationForm, formData);
  const fail = (
    intent: string,
    formError: FieldError | null,
    errors: FieldErrors = {},
    status = 400,
    planMissing: MissingPlanPart[] = [],
  ) => data({ intent, formError, errors, values: formValues(formData), planMissing }, status);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (error: { code: string; details?: string } | null, what: string) =>
    error ? fail(form.intent, dbErrorOf(error)) : redirect(`/applications/${applicationId}?done=${what}`);

  return dispatchIntent(form, {
    save: async ({ intent: _, ...answers }) => done(await saveApplication(supabase, applicationId, answers), "saved"),
    submit: async ({ intent: _, ...answers }) => {
      const error = await saveAndSubmitApplication(supabase, context.collab, applicationId, answers);
      if (error?.code !== "incomplete") return done(error, "submitted");
      const missing = missingFields(error.details);
      // The answers were saved; only the submission was refused. 200 lets the page reload what was saved.
      return fail(
        form.intent,
        { key: missing.length > 0 ? "applications.incomplete" : "applications.planIncompleteAlert" },
        Object.fromEntries(missing.map((field) => [field, { key: "applications.missingField" }])),
        200,
        missingPlanParts(error.details),
      );
    },
    start: async ({ checklist, internal_notes }) =>
      done((await startBdtReview(supabase, applicationId, checklist, internal_notes)).error, "started"),
    send: async ({ recommendation, recommended_outcome }) =>
      done(
        (
          await sendToBoard(supabase, context.collab, {
            application: applicationId,
            recommendation,
            recommendedOutcome: recommended_outcome,
          })
        ).error,
        "sent",
      ),
    "plan-language": async ({ language }) => done(await setPlanLanguage(supabase, applicationId, language), "language"),
  });
}

export default function ApplicationPage() {
  const { application, reference, timeline, decisions, bdtReview, isBdt, attachments, planLanguage } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const errors = result?.errors ?? ({} as FieldErrors);
  const values = result?.values;
  const pick = (name: string, fallback: string | null) => (values && name in values ? values[name]! : (fallback ?? ""));
  const canEdit = !isBdt && (application.status === "draft" || application.status === "changes_requested");
  const busy = navigation.state === "submitting";
  const done = ["saved", "submitted", "started", "sent"].find((what) => what === searchParams.get("done"));
  const planId = application.plan?.id;
  const latestDecision = decisions[0];
  return (
    <div className="page page--wide">
      <p>
        <Link to="/applications">{t("applications.back")}</Link>
      </p>
      <h1>{application.centre_name || t("eois.untitled")}</h1>
      <p>
        <StatusBadge status={application.status} />{" "}
        <RevisionCycle cycle={application.revision_cycle} cap={application.eoi?.call?.max_revision_cycles} />{" "}
        {application.organisation?.name}
      </p>
      {done && !result ? (
        <FormNotice title={t(`applications.done.${done}Title`)}>{t(`applications.done.${done}Body`)}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />
      {result?.planMissing?.length && planId ? (
        <section className="panel panel--highlight" aria-labelledby="plan-missing-title">
          <h2 id="plan-missing-title">{t("applications.planMissingTitle")}</h2>
          <ul>
            {result.planMissing.map((item) => (
              <li key={`${item.capability}.${item.part}`}>
                {t(`applications.planParts.${item.part}`, {
                  capability:
                    item.capability === "general"
                      ? t("applications.planGeneralSection")
                      : (reference.capabilities.find((capability) => capability.code === item.capability)?.label ??
                        item.capability),
                })}
              </li>
            ))}
          </ul>
          <p>
            <Link to={`/plans/${planId}`}>{t("applications.completePlan")}</Link>
          </p>
        </section>
      ) : null}

      {latestDecision ? (
        <section className="panel panel--highlight" aria-labelledby="decision-title">
          <h2 id="decision-title">{t("applications.decisionTitle")}</h2>
          <p>
            <StatusBadge status={latestDecision.outcome} /> <LocalTime iso={latestDecision.recorded_at} />
          </p>
          {latestDecision.conditions ? (
            <>
              <h3>
                {latestDecision.outcome === "changes_requested"
                  ? t("revision.boardReasons")
                  : t("applications.conditions")}
              </h3>
              <p className="prewrap">{latestDecision.conditions}</p>
            </>
          ) : null}
          {application.status === "changes_requested" && !isBdt ? (
            <p>{t("applications.changesRequestedHelp")}</p>
          ) : null}
          {application.status === "changes_requested" &&
          application.eoi?.call &&
          application.revision_cycle >= application.eoi.call.max_revision_cycles ? (
            <p>{t("revision.lastCycle")}</p>
          ) : null}
        </section>
      ) : null}

      <div className="two-columns">
        <div>
          <section aria-labelledby="answers-title">
            <h2 id="answers-title">{t("applications.answersTitle")}</h2>
            {canEdit ? (
              <Form method="post" noValidate className="form">
                <p className="muted">{t("applications.editHelp")}</p>
                <TextField
                  name="centre_name"
                  label={t("applications.fields.centre_name")}
                  defaultValue={pick("centre_name", application.centre_name)}
                  error={errors.centre_name}
                  maxLength={200}
                />
                {applicationFields
                  .filter((field) => field !== "centre_name")
                  .map((field) => (
                    <TextArea
                      key={field}
                      name={field}
                      label={t(`applications.fields.${field}`)}
                      hint={t(`applications.hints.${field}`)}
                      defaultValue={pick(field, application[field])}
                      error={errors[field]}
                      rows={5}
                    />
                  ))}
                <div className="actions">
                  <button type="submit" name="intent" value="save" className="button button--secondary" disabled={busy}>
                    {t("applications.save")}
                  </button>
                  <button type="submit" name="intent" value="submit" className="button" disabled={busy}>
                    {application.status === "changes_requested" ? t("applications.resubmit") : t("applications.submit")}
                  </button>
                </div>
              </Form>
            ) : (
              <ApplicationAnswers application={application} />
            )}
          </section>
          <section aria-labelledby="attachments-title">
            <h2 id="attachments-title">{t("applications.attachmentsTitle")}</h2>
            <p className="muted">{t("applications.attachmentsHelp")}</p>
            <AttachmentList
              files={attachments}
              removeAction={canEdit ? `/applications/${application.id}/attachments` : undefined}
            />
            {canEdit ? (
              <AttachmentUpload
                action={`/applications/${application.id}/attachments`}
                serverError={searchParams.get("uploadError")}
                hint={t("applications.attachmentsHint")}
              />
            ) : null}
          </section>
          <section aria-labelledby="profile-title">
            <h2 id="profile-title">{t("applications.profileTitle")}</h2>
            <p className="muted">{t("applications.profileHelp")}</p>
            <CentreProfile
              application={application}
              eoi={application.eoi}
              reference={reference}
              applicantView={!isBdt}
            />
          </section>
        </div>
        <aside className="stack">
          <section aria-labelledby="plan-title" className="panel">
            <h2 id="plan-title">{t("applications.planTitle")}</h2>
            {planLanguage ? (
              <PlanLanguageChoice
                language={planLanguage.language}
                canChoose={application.status === "draft" && !planLanguage.started}
                error={result?.intent === "plan-language" ? errors.language : undefined}
                busy={busy}
                justSet={searchParams.get("done") === "language" && !result}
              />
            ) : null}
            {planId ? (
              <p>
                <Link to={`/plans/${planId}`}>{t("applications.openPlan")}</Link>
              </p>
            ) : null}
            {application.sent_version && planId ? (
              <>
                <h3>{t("applications.sentVersion")}</h3>
                <PlanVersionFacts planId={planId} version={application.sent_version} />
              </>
            ) : null}
          </section>
          {application.bdt_recommendation ? (
            <section aria-labelledby="recommendation-title" className="panel">
              <h2 id="recommendation-title">{t("applications.recommendationTitle")}</h2>
              {application.bdt_recommended_outcome ? (
                <p>
                  <strong>{t("applications.recommendedOutcome")}:</strong>{" "}
                  {t(`board.choices.${application.bdt_recommended_outcome}`)}
                </p>
              ) : null}
              <p className="prewrap">{application.bdt_recommendation}</p>
            </section>
          ) : null}
          {isBdt ? (
            <section aria-labelledby="bdt-title" className="panel">
              <h2 id="bdt-title">{t("applications.bdtTitle")}</h2>
              {bdtReview ? (
                <>
                  <h3>{t("applications.checklist")}</h3>
                  <ul>
                    {bdtChecklistItems.map((item) => (
                      <li key={item}>
                        {t(`applications.checks.${item}`)}:{" "}
                        {(bdtReview.checklist as Record<string, boolean>)[item]
                          ? t("applications.checked")
                          : t("applications.notChecked")}
                      </li>
                    ))}
                  </ul>
                  {bdtReview.internal_notes ? (
                    <>
                      <h3>{t("applications.internalNotes")}</h3>
                      <p className="prewrap">{bdtReview.internal_notes}</p>
                    </>
                  ) : null}
                </>
              ) : null}
              {application.status === "submitted" ? (
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="start" />
                  <ChoiceGroup
                    name="checklist"
                    label={t("applications.checklist")}
                    selected={(values?.checklist ?? "").split("\n")}
                    options={bdtChecklistItems.map((item) => ({
                      value: item,
                      label: t(`applications.checks.${item}`),
                    }))}
                  />
                  <TextArea
                    name="internal_notes"
                    label={t("applications.internalNotes")}
                    hint={t("applications.internalNotesHint")}
                    defaultValue={values?.internal_notes}
                    error={errors.internal_notes}
                    rows={4}
                  />
                  <button type="submit" className="button" disabled={busy}>
                    {t("applications.startReview")}
                  </button>
                </Form>
              ) : null}
              {application.status === "bdt_review" ? (
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="send" />
                  <TextArea
                    name="recommendation"
                    label={t("applications.recommendation")}
                    hint={t("applications.recommendationHint")}
                    defaultValue={values?.recommendation}
                    error={errors.recommendation}
                    rows={5}
                  />
                  <ChoiceGroup
                    type="radio"
                    name="recommended_outcome"
                    label={t("applications.recommendedOutcome")}
                    selected={[values?.recommended_outcome ?? ""]}
                    error={errors.recommended_outcome}
                    options={voteChoices.map((choice) => ({ value: choice, label: t(`board.choices.${choice}`) }))}
                  />
                  <button type="submit" className="button" disabled={busy}>
                    {t("applications.sendToBoard")}
                  </button>
                </Form>
              ) : null}
              {!bdtReview && application.status !== "submitted" ? (
                <p className="muted">{t("applications.noBdtReview")}</p>
              ) : null}
            </section>
          ) : null}
          <section aria-labelledby="history-title">
            <h2 id="history-title">{t("applications.history")}</h2>
            <Timeline entries={timeline} />
          </section>
        </aside>
      </div>
    </div>
  );
}
