import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ChoiceGroup, LocalTime, StatusBadge, TextArea } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { PlanDiff } from "~/components/plan-diff";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { decideAmendment, getAmendment, submitAmendment, withdrawAmendment } from "~/models/amendments.server";
import { amendmentDecisions, amendmentForm } from "~/validation/amendments";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "amendments.title");

const params = z.object({ amendmentId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { amendmentId } = parseParams(params, raw);
  const { supabase, roles, headers } = await requireRoles(request, context);
  const page = await getAmendment(supabase, context.collab, amendmentId);
  if (!page) throw notFound(headers);
  const isBdt = roles.includes("reviewer") || roles.includes("coordinator");
  return data({ ...page, isBdt, isApplicant: roles.includes("applicant") }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { amendmentId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(amendmentForm, formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ intent, formError, errors, values: formValues(formData) }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (error: { code: string } | null, what: string) =>
    error ? fail(form.intent, { key: `dbErrors.${error.code}` }) : redirect(`/amendments/${amendmentId}?done=${what}`);
  return dispatchIntent(form, {
    submit: async () => done((await submitAmendment(supabase, context.collab, amendmentId)).error, "submitted"),
    withdraw: async () => done((await withdrawAmendment(supabase, amendmentId)).error, "withdrawn"),
    decide: async ({ decision, reason }) =>
      done((await decideAmendment(supabase, amendmentId, decision, reason)).error, decision),
  });
}

export default function AmendmentPage() {
  const { amendment, centre, diff, changed, baseHash, access, isBdt, isApplicant } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const busy = navigation.state === "submitting";
  const errors = result?.errors ?? ({} as FieldErrors);
  const done = searchParams.get("done");
  const editable = amendment.status === "draft" || amendment.status === "changes_requested";
  const centreSide = isApplicant && !isBdt;
  return (
    <div className="page page--wide">
      <p>
        {centre ? (
          <Link to={`/centres/${centre.id}`}>{t("amendments.backToCentre", { name: centre.name })}</Link>
        ) : null}
      </p>
      <h1>{t("amendments.heading", { name: centre?.name ?? "" })}</h1>
      <p>
        <StatusBadge status={amendment.status} /> <LocalTime iso={amendment.created_at} />
      </p>
      {done && !result ? <FormNotice title={t("amendments.doneTitle")}>{t("amendments.doneBody")}</FormNotice> : null}
      <FormAlert error={result?.formError} />
      <section aria-labelledby="reason-title" className="panel">
        <h2 id="reason-title">{t("amendments.reasonTitle")}</h2>
        <p className="prewrap">{amendment.reason}</p>
        {amendment.major_reasons.length > 0 ? (
          <p>
            <strong>{t("amendments.major")}</strong>{" "}
            {amendment.major_reasons.map((item) => t(`amendments.majorReasons.${item}`)).join(", ")}
          </p>
        ) : amendment.sent_version_id ? (
          <p>{t("amendments.minor")}</p>
        ) : null}
        {amendment.bdt_reason ? (
          <>
            <h3>{t("amendments.bdtReasons")}</h3>
            <p className="prewrap">{amendment.bdt_reason}</p>
          </>
        ) : null}
        <p>
          <Link to={`/plans/${amendment.plan_id}`}>
            {access === "edit" ? t("amendments.editPlan") : t("amendments.openPlan")}
          </Link>
        </p>
      </section>

      <section aria-labelledby="diff-title">
        <h2 id="diff-title">{t("amendments.diffTitle")}</h2>
        <p className="muted">
          {t("amendments.diffHelp", { count: changed })}{" "}
          {baseHash ? (
            <>
              {t("plan.hash")} <code className="hash">{baseHash}</code>
            </>
          ) : null}
        </p>
        <PlanDiff blocks={diff} />
      </section>

      {centreSide && (editable || amendment.status === "submitted") ? (
        <section aria-labelledby="centre-actions-title" className="panel">
          <h2 id="centre-actions-title">{t("amendments.centreActions")}</h2>
          {editable ? (
            <Form method="post" className="form form--compact">
              <p className="muted">{t("amendments.submitHelp")}</p>
              <button type="submit" name="intent" value="submit" className="button" disabled={busy}>
                {amendment.status === "changes_requested" ? t("amendments.resubmit") : t("amendments.submit")}
              </button>
            </Form>
          ) : null}
          <Form method="post" className="form form--compact">
            <button type="submit" name="intent" value="withdraw" className="button button--secondary" disabled={busy}>
              {t("amendments.withdraw")}
            </button>
          </Form>
        </section>
      ) : null}

      {isBdt && amendment.status === "submitted" ? (
        <section aria-labelledby="bdt-actions-title" className="panel">
          <h2 id="bdt-actions-title">{t("amendments.bdtTitle")}</h2>
          <Form method="post" noValidate className="form form--compact">
            <input type="hidden" name="intent" value="decide" />
            <ChoiceGroup
              type="radio"
              name="decision"
              label={t("amendments.decision")}
              hint={amendment.major_reasons.length > 0 ? t("amendments.majorHint") : undefined}
              selected={[result?.values?.decision ?? ""]}
              error={errors.decision}
              options={amendmentDecisions
                .filter((decision) => decision !== "approve" || amendment.major_reasons.length === 0)
                .map((decision) => ({ value: decision, label: t(`amendments.decisions.${decision}`) }))}
            />
            <TextArea
              name="reason"
              label={t("amendments.decisionReason")}
              defaultValue={result?.values?.reason}
              error={errors.reason}
              rows={4}
            />
            <button type="submit" className="button" disabled={busy}>
              {t("amendments.decide")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}
