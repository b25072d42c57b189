import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { EoiSummary, Timeline } from "~/components/eoi-summary";
import { FormAlert } from "~/components/form-alert";
import { ChoiceGroup, LocalTime, SelectField, StatusBadge, TextArea } from "~/components/fields";
import { detectLanguage } from "~/i18n/language.server";
import { asList, type FieldError, type FieldErrors, formValues } from "~/lib/forms";
import { centreScopes } from "~/lib/enums";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { inviteApplication } from "~/models/applications.server";
import { findApplicationForEoi, getEoi, getTimeline, type EoiDetail } from "~/models/eois.server";
import { loadReferenceData, type ReferenceData } from "~/models/reference.server";
import {
  addInternalNote,
  declineEoi,
  listEoiPeople,
  listInternalNotes,
  requestClarification,
  startValidation,
  validateEoi,
} from "~/models/validation.server";
import { capabilityCodes, centreTypeCodes } from "~/validation/eoi";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "review.pageTitle");

const params = z.object({ eoiId: z.uuid() });
const checklistItems = ["complete", "eligible", "aligned", "resources", "governance"] as const;

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase, headers } = await requireRoles(request, context, ["reviewer", "coordinator"]);
  // One round trip for the page, not two: the timeline, notes and names need only the id (RLS hides another's).
  const [eoi, reference, timeline, notes, people] = await Promise.all([
    getEoi(supabase, eoiId),
    detectLanguage(request).then((language) => loadReferenceData(supabase, language)),
    getTimeline(supabase, eoiId),
    listInternalNotes(supabase, eoiId),
    listEoiPeople(supabase, eoiId),
  ]);
  if (!eoi) throw notFound();
  const application = eoi.status === "validated" ? await findApplicationForEoi(supabase, eoi.id) : null;
  return data({ eoi, reference, timeline, notes, application, people }, { headers });
}

const decisionText = z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong");
const notesToApplicant = z
  .string()
  .trim()
  .max(20000, "errors.tooLong")
  .optional()
  .transform((value) => value || undefined);
/** The ticked checklist boxes as the record the database stores; unknown items are ignored. */
const checklist = z
  .preprocess(asList, z.array(z.string()))
  .transform((ticked) => Object.fromEntries(checklistItems.map((item) => [item, ticked.includes(item)])));
const reviewForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start") }),
  z.object({ intent: z.literal("invite") }),
  z.object({ intent: z.literal("clarify"), question: decisionText }),
  z.object({
    intent: z.literal("validate"),
    recommended_centre_type: z.enum(centreTypeCodes, "errors.invalidChoice"),
    recommended_scope: z.enum(centreScopes, "errors.invalidChoice"),
    recommended_capabilities: z.preprocess(asList, z.array(z.enum(capabilityCodes)).min(1, "review.chooseCapability")),
    reasons: decisionText,
    notes_to_applicant: notesToApplicant,
    checklist,
  }),
  z.object({ intent: z.literal("decline"), reasons: decisionText, notes_to_applicant: notesToApplicant, checklist }),
  z.object({ intent: z.literal("note"), body: decisionText }),
]);

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["reviewer", "coordinator"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(reviewForm, formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ intent, formError, errors, values: formValues(formData) }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (result: { error: { code: string } | null }, to = `/review/${eoiId}`) =>
    result.error ? fail(form.intent, { key: `dbErrors.${result.error.code}` }) : redirect(to);

  return dispatchIntent(form, {
    start: async () => done(await startValidation(supabase, eoiId)),
    invite: async () => {
      const result = await inviteApplication(supabase, eoiId);
      return done(result, `/applications/${result.data}`);
    },
    clarify: async ({ question }) => done(await requestClarification(supabase, eoiId, question)),
    validate: async ({ intent: _, ...decision }) => done(await validateEoi(supabase, { eoi: eoiId, ...decision })),
    decline: async ({ intent: _, ...decision }) => done(await declineEoi(supabase, { eoi: eoiId, ...decision })),
    note: async ({ body }) => done(await addInternalNote(supabase, eoiId, body)),
  });
}

/**
 * What was decided, kept on the page once the EoI is validated or declined (issue 17): the checklist as ticked, the
 * recommendations, the reasons and notes, who decided and when.
 */
function DecisionRecord({
  validation,
  decidedAt,
  decidedBy,
  reference,
}: {
  validation: NonNullable<EoiDetail["validation"]>;
  decidedAt: string | null;
  decidedBy: string;
  reference: ReferenceData;
}) {
  const { t } = useTranslation();
  const ticked = (validation.checklist ?? {}) as Record<string, unknown>;
  const label = (list: { code: string; label: string }[], code: string | null) =>
    list.find((item) => item.code === code)?.label ?? t("eoiSummary.notGiven");
  return (
    <section aria-labelledby="decision-record-title" className="decision-record">
      <h3 id="decision-record-title">{t("review.decisionRecord")}</h3>
      <dl className="facts">
        <dt>{t("review.decidedBy")}</dt>
        <dd>
          {decidedBy}
          {decidedAt ? (
            <>
              {" "}
              · <LocalTime iso={decidedAt} />
            </>
          ) : null}
        </dd>
        <dt>{t("review.checklist")}</dt>
        <dd>
          <ul className="checklist">
            {checklistItems.map((item) => (
              <li key={item}>
                {t(`review.checks.${item}`)}: {ticked[item] === true ? t("review.checkDone") : t("review.checkNotDone")}
              </li>
            ))}
          </ul>
        </dd>
        {validation.recommended_centre_type ? (
          <>
            <dt>{t("review.recommendedType")}</dt>
            <dd>{label(reference.centreTypes, validation.recommended_centre_type)}</dd>
          </>
        ) : null}
        {validation.recommended_scope ? (
          <>
            <dt>{t("review.recommendedScope")}</dt>
            <dd>{t(`scopes.${validation.recommended_scope}`)}</dd>
          </>
        ) : null}
        {validation.recommended_capabilities.length > 0 ? (
          <>
            <dt>{t("review.recommendedCapabilities")}</dt>
            <dd>{validation.recommended_capabilities.map((code) => label(reference.capabilities, code)).join(", ")}</dd>
          </>
        ) : null}
        <dt>{t("review.reasons")}</dt>
        <dd className="prewrap">{validation.reasons}</dd>
        {validation.notes_to_applicant ? (
          <>
            <dt>{t("review.notesToApplicant")}</dt>
            <dd className="prewrap">{validation.notes_to_applicant}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export default function ReviewEoi() {
  const { eoi, reference, timeline, notes, application, people } = useLoaderData<typeof loader>();
  const nameOf = (id: string | null) => people.find((person) => person.id === id)?.name ?? t("review.formerStaff");
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = result?.errors ?? ({} as FieldErrors);
  const values = result?.values;
  const pick = (name: string, fallback: string) => (values && name in values ? values[name]! : fallback);
  const proposedType = reference.centreTypes.find((type) => type.code === eoi.proposed_centre_type)?.label;
  const validating = eoi.status === "under_validation";
  return (
    <div className="page page--wide">
      <p>
        <Link to="/review">{t("review.backToQueue")}</Link>
      </p>
      <h1>{eoi.centre_name || t("eois.untitled")}</h1>
      <p>
        <StatusBadge status={eoi.status} /> {eoi.organisation?.name} · {eoi.call?.title}
      </p>
      <FormAlert error={result?.formError} />
      <div className="two-columns">
        <section aria-labelledby="submitted-title">
          <h2 id="submitted-title">{t("review.submittedContent")}</h2>
          <EoiSummary eoi={eoi} reference={reference} />
          <h2>{t("eoiPage.history")}</h2>
          <Timeline entries={timeline} />
        </section>
        <aside aria-labelledby="panel-title" className="panel">
          <h2 id="panel-title">{t("review.panel")}</h2>
          {eoi.status === "submitted" || eoi.status === "resubmitted" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="start" />
              <button type="submit" className="button">
                {t("review.start")}
              </button>
            </Form>
          ) : null}
          {validating ? (
            <>
              <Form method="post" noValidate className="form">
                <input type="hidden" name="intent" value="validate" />
                <ChoiceGroup
                  name="checklist"
                  label={t("review.checklist")}
                  selected={(values?.checklist ?? "").split("\n")}
                  options={checklistItems.map((item) => ({ value: item, label: t(`review.checks.${item}`) }))}
                />
                <SelectField
                  name="recommended_centre_type"
                  label={t("review.recommendedType")}
                  hint={t("review.applicantChose", { choice: proposedType ?? t("eoiSummary.notGiven") })}
                  defaultValue={pick("recommended_centre_type", eoi.proposed_centre_type ?? "")}
                  error={errors.recommended_centre_type}
                  placeholder={t("common.choose")}
                  options={reference.centreTypes.map((type) => ({ value: type.code, label: type.label }))}
                />
                <SelectField
                  name="recommended_scope"
                  label={t("review.recommendedScope")}
                  hint={t("review.applicantChose", {
                    choice: eoi.proposed_scope ? t(`scopes.${eoi.proposed_scope}`) : t("eoiSummary.notGiven"),
                  })}
                  defaultValue={pick("recommended_scope", eoi.proposed_scope ?? "")}
                  error={errors.recommended_scope}
                  placeholder={t("common.choose")}
                  options={centreScopes.map((scope) => ({
                    value: scope,
                    label: t(`scopes.${scope}`),
                  }))}
                />
                <ChoiceGroup
                  name="recommended_capabilities"
                  label={t("review.recommendedCapabilities")}
                  hint={t("review.applicantChose", {
                    choice:
                      eoi.capabilities
                        .map((code) => reference.capabilities.find((item) => item.code === code)?.label)
                        .join(", ") || t("eoiSummary.notGiven"),
                  })}
                  selected={pick("recommended_capabilities", eoi.capabilities.join("\n")).split("\n")}
                  error={errors.recommended_capabilities}
                  options={reference.capabilities.map((item) => ({ value: item.code, label: item.label }))}
                />
                <TextArea
                  name="reasons"
                  label={t("review.reasons")}
                  defaultValue={result?.intent === "validate" ? values?.reasons : undefined}
                  error={result?.intent === "validate" ? errors.reasons : undefined}
                  rows={4}
                />
                <TextArea
                  name="notes_to_applicant"
                  label={t("review.notesToApplicant")}
                  defaultValue={result?.intent === "validate" ? values?.notes_to_applicant : undefined}
                  rows={3}
                />
                <button type="submit" className="button" disabled={navigation.state === "submitting"}>
                  {t("review.validate")}
                </button>
              </Form>
              <details className="subform" open={result?.intent === "clarify"}>
                <summary>{t("review.requestClarification")}</summary>
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="clarify" />
                  <TextArea
                    name="question"
                    label={t("review.question")}
                    defaultValue={values?.question}
                    error={errors.question}
                    rows={4}
                  />
                  <button type="submit" className="button button--secondary">
                    {t("review.sendQuestion")}
                  </button>
                </Form>
              </details>
              <details className="subform" open={result?.intent === "decline"}>
                <summary>{t("review.decline")}</summary>
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="decline" />
                  <TextArea
                    name="reasons"
                    label={t("review.declineReasons")}
                    defaultValue={result?.intent === "decline" ? values?.reasons : undefined}
                    error={result?.intent === "decline" ? errors.reasons : undefined}
                    rows={4}
                  />
                  <TextArea name="notes_to_applicant" label={t("review.notesToApplicant")} rows={3} />
                  <button type="submit" className="button button--danger">
                    {t("review.declineConfirm")}
                  </button>
                </Form>
              </details>
            </>
          ) : null}
          {eoi.status === "validated" ? (
            application ? (
              <p>
                <Link to={`/applications/${application.id}`}>{t("applications.openApplication")}</Link>
              </p>
            ) : (
              <Form method="post">
                <input type="hidden" name="intent" value="invite" />
                <p>{t("applications.inviteHelp")}</p>
                <button type="submit" className="button" disabled={navigation.state === "submitting"}>
                  {t("applications.invite")}
                </button>
              </Form>
            )
          ) : null}
          {eoi.validation && (eoi.status === "validated" || eoi.status === "declined") ? (
            <DecisionRecord
              validation={eoi.validation}
              decidedAt={eoi.decided_at}
              decidedBy={nameOf(eoi.validation.validated_by)}
              reference={reference}
            />
          ) : null}
          <h3>{t("review.internalNotes")}</h3>
          <p className="muted">{t("review.internalNotesHint")}</p>
          <ul className="notes">
            {notes.map((note) => (
              <li key={note.id}>
                <p className="note__meta">
                  <strong>{nameOf(note.author_id)}</strong> · <LocalTime iso={note.created_at} />
                </p>
                <p className="prewrap">{note.body}</p>
              </li>
            ))}
          </ul>
          <Form method="post" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="note" />
            <TextArea
              name="body"
              label={t("review.addNote")}
              defaultValue={result?.intent === "note" ? values?.body : undefined}
              error={result?.intent === "note" ? errors.body : undefined}
              rows={3}
            />
            <button type="submit" className="button button--secondary">
              {t("review.saveNote")}
            </button>
          </Form>
        </aside>
      </div>
    </div>
  );
}
