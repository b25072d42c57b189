import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { AttachmentList } from "~/components/attachment-upload";
import { ChoiceGroup, LocalTime, StatusBadge, TextArea } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { PlanDocument } from "~/components/plan-document";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { closeCondition, getCondition, respondToCondition, reviewCondition } from "~/models/conditions.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "conditions.title");

const params = z.object({ conditionId: z.uuid() });
const reason = z.string().trim().min(1, "errors.required").max(20000, "errors.tooLong");

const conditionForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("respond"), body: reason }),
  z.object({ intent: z.literal("review"), met: z.enum(["yes", "no"], "conditions.chooseMet"), reason }),
  z.object({ intent: z.literal("close"), reason: z.string().trim().max(20000, "errors.tooLong").optional() }),
]);

/** A condition of a Board decision: the centre answers it, BDT marks it, the chair (or BDT) closes it (issue 15). */
export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { conditionId } = parseParams(params, raw);
  const { supabase, headers, roles } = await requireRoles(request, context);
  const condition = await getCondition(supabase, conditionId);
  if (!condition) throw notFound(headers);
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  const { data: member } = await supabase
    .from("organisation_members")
    .select("organisation_id")
    .eq("organisation_id", condition.organisation_id)
    .maybeSingle();
  const may = {
    respond: Boolean(member) && ["open", "not_met"].includes(condition.status),
    review: isBdt && condition.status === "responded",
    close: condition.status === "met" && (condition.closed_by_role === "bdt" ? isBdt : roles.includes("board_chair")),
  };
  return data({ condition, may }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { conditionId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(conditionForm, formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ intent, formError, errors, values: formValues(formData) }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (result: { error: { code: string } | null }, notice: string) =>
    result.error
      ? fail(form.intent, { key: `dbErrors.${result.error.code}` })
      : redirect(`/conditions/${conditionId}?done=${notice}`);
  return dispatchIntent(form, {
    respond: async ({ body }) => {
      const files = formData.getAll("files").filter((file): file is File => file instanceof File);
      return done(await respondToCondition(supabase, conditionId, body, files), "responded");
    },
    review: async ({ met, reason }) =>
      done(await reviewCondition(supabase, conditionId, met === "yes", reason), "reviewed"),
    close: async ({ reason }) => done(await closeCondition(supabase, conditionId, reason), "closed"),
  });
}

export default function ConditionPage() {
  const { condition, may } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const busy = navigation.state !== "idle";
  const errorsFor = (intent: string) =>
    result && "intent" in result && result.intent === intent ? result.errors : ({} as FieldErrors);
  const done = search.get("done");
  const anchor = condition.anchor as { from: number; to: number } | null;
  return (
    <div className="page">
      <p>
        {condition.centre ? (
          <Link to={`/centres/${condition.centre.id}`}>
            {t("conditions.backToCentre", { name: condition.centre.name })}
          </Link>
        ) : null}
      </p>
      <h1>{t("conditions.heading", { number: condition.position })}</h1>
      {done ? (
        <FormNotice title={t(`conditions.done.${done}`, { defaultValue: t("conditions.saved") })}>{null}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />
      <dl className="facts">
        <dt>{t("conditions.status")}</dt>
        <dd>
          <StatusBadge status={`condition_${condition.status}`} />
        </dd>
        <dt>{t("conditions.dueOn")}</dt>
        <dd>{condition.due_on}</dd>
        <dt>{t("conditions.closedBy")}</dt>
        <dd>{t(`conditions.closers.${condition.closed_by_role}`)}</dd>
      </dl>
      <section className="panel" aria-labelledby="condition-text">
        <h2 id="condition-text">{t("conditions.text")}</h2>
        <p className="prewrap">{condition.body}</p>
        {condition.quote ? (
          <>
            <h3>{t("conditions.passage")}</h3>
            <blockquote className="prewrap">{condition.quote}</blockquote>
          </>
        ) : null}
      </section>
      {condition.review_reason ? (
        <section className="panel" aria-labelledby="condition-review">
          <h2 id="condition-review">{t("conditions.reviewTitle")}</h2>
          <p className="prewrap">{condition.review_reason}</p>
          {condition.reviewed_at ? <LocalTime iso={condition.reviewed_at} /> : null}
        </section>
      ) : null}
      <section className="panel" aria-labelledby="condition-responses">
        <h2 id="condition-responses">{t("conditions.responses")}</h2>
        {condition.responses.length === 0 ? <p className="muted">{t("conditions.noResponses")}</p> : null}
        <ol className="responses">
          {condition.responses.map((response) => (
            <li key={response.id}>
              <LocalTime iso={response.created_at} />
              <p className="prewrap">{response.body}</p>
              {response.attachments.length > 0 ? <AttachmentList files={response.attachments} /> : null}
            </li>
          ))}
        </ol>
      </section>
      {may.respond ? (
        <section className="panel" aria-labelledby="respond-title">
          <h2 id="respond-title">{t("conditions.respondTitle")}</h2>
          <Form method="post" encType="multipart/form-data" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="respond" />
            <TextArea name="body" label={t("conditions.response")} rows={4} error={errorsFor("respond").body} />
            <div className="field">
              <label htmlFor="field-files">{t("conditions.files")}</label>
              <input
                id="field-files"
                type="file"
                name="files"
                multiple
                accept="application/pdf,image/png,image/jpeg"
                aria-describedby="field-files-hint"
              />
              <p className="hint" id="field-files-hint">
                {t("conditions.filesHint")}
              </p>
            </div>
            <button type="submit" className="button" disabled={busy}>
              {t("conditions.respond")}
            </button>
          </Form>
        </section>
      ) : null}
      {may.review ? (
        <section className="panel" aria-labelledby="review-title">
          <h2 id="review-title">{t("conditions.reviewTitle")}</h2>
          <Form method="post" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="review" />
            <ChoiceGroup
              type="radio"
              name="met"
              label={t("conditions.isMet")}
              error={errorsFor("review").met}
              selected={[]}
              options={[
                { value: "yes", label: t("conditions.met") },
                { value: "no", label: t("conditions.notMet") },
              ]}
            />
            <TextArea name="reason" label={t("conditions.reasons")} rows={3} error={errorsFor("review").reason} />
            <button type="submit" className="button" disabled={busy}>
              {t("conditions.recordReview")}
            </button>
          </Form>
        </section>
      ) : null}
      {may.close ? (
        <section className="panel" aria-labelledby="close-title">
          <h2 id="close-title">{t("conditions.closeTitle")}</h2>
          <Form method="post" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="close" />
            <TextArea name="reason" label={t("conditions.closeNote")} rows={2} error={errorsFor("close").reason} />
            <button type="submit" className="button" disabled={busy}>
              {t("conditions.close")}
            </button>
          </Form>
        </section>
      ) : null}
      {condition.version && anchor ? (
        <section className="panel" aria-labelledby="condition-plan">
          <h2 id="condition-plan">{t("conditions.inPlan")}</h2>
          <PlanDocument
            content={condition.version.content}
            highlights={[
              { from: anchor.from, to: anchor.to, label: t("conditions.heading", { number: condition.position }) },
            ]}
          />
        </section>
      ) : null}
    </div>
  );
}
