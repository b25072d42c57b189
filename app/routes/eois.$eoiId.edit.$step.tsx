import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { AttachmentList, AttachmentUpload } from "~/components/attachment-upload";
import { EoiSummary } from "~/components/eoi-summary";
import { stepFields } from "~/components/eoi-steps";
import { FormAlert } from "~/components/form-alert";
import { LocalTime, TimeLeft } from "~/components/fields";
import { detectLanguage } from "~/i18n/language.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { useAutosave } from "~/lib/use-autosave";
import { effectiveDeadline, getEoi, saveEoiStep, submitEoi } from "~/models/eois.server";
import { loadReferenceData } from "~/models/reference.server";
import { eoiFormSteps, eoiSteps, stepOfField, type EoiStep } from "~/validation/eoi";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "eoiForm.title");

const params = z.object({ eoiId: z.uuid(), step: z.enum(eoiSteps) });
const editable = new Set(["draft", "clarification_requested"]);

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { eoiId, step } = parseParams(params, raw);
  const { supabase, headers } = await requireRoles(request, context, ["applicant"]);
  const eoi = await getEoi(supabase, eoiId);
  if (!eoi) throw notFound();
  if (!editable.has(eoi.status)) throw redirect(`/eois/${eoi.id}`, { headers });
  const [reference, deadline] = await Promise.all([
    loadReferenceData(supabase, await detectLanguage(request)),
    eoi.call ? effectiveDeadline(supabase, eoi.call, eoi.organisation_id) : Promise.resolve(null),
  ]);
  // Whether submission is possible is decided here (the database decides again at submission).
  const closed = !deadline || new Date(deadline).getTime() <= Date.now() || eoi.call?.status !== "open";
  return data({ eoi, reference, deadline, closed, step: step }, { headers });
}

/** One form, several buttons; a post without a known intent (Enter in a field) saves, as the Save button does. */
const stepForm = z.object({ intent: z.enum(["save", "next", "back", "autosave", "submit"]).catch("save") });

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { eoiId, step } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["applicant"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(stepForm, formData);
  const fail = (formError: FieldError | null, errors: FieldErrors = {}, missing: string[] = []) =>
    data({ formError, errors, values: formValues(formData), saved: false, missing }, 400);
  if (!parsed.success) return fail(null, parsed.fieldErrors);
  /** Saves this step's fields (if it has any), then stays (0) or moves to the next (1) or previous (-1) step. */
  const saveAndGo = async (offset: 0 | 1 | -1) => {
    const formStep = eoiFormSteps.find((known) => known === step);
    if (formStep) {
      // The fields that pass are saved even when another is refused (an over-long paste), which is reported.
      const { fieldErrors, error } = await saveEoiStep(supabase, eoiId, formStep, formData);
      if (error) return fail({ key: `dbErrors.${error}` });
      if (Object.keys(fieldErrors).length > 0) return fail({ key: "errors.formHasErrors" }, fieldErrors);
    }
    const index = Math.min(Math.max(eoiSteps.indexOf(step) + offset, 0), eoiSteps.length - 1);
    if (offset !== 0) return redirect(`/eois/${eoiId}/edit/${eoiSteps[index]}`);
    return data({
      formError: null,
      errors: {} as FieldErrors,
      values: {} as Record<string, string>,
      saved: true,
      missing: [] as string[],
    });
  };

  return dispatchIntent(parsed.data, {
    save: () => saveAndGo(0),
    autosave: () => saveAndGo(0),
    next: () => saveAndGo(1),
    back: () => saveAndGo(-1),
    submit: async () => {
      const result = await submitEoi(supabase, eoiId);
      if (!result.error) return redirect(`/eois/${eoiId}?submitted=1`);
      const missing = result.error.code === "incomplete" ? (result.error.details ?? "").split(",").filter(Boolean) : [];
      return fail({ key: `dbErrors.${result.error.code}` }, {}, missing);
    },
  });
}

export default function EditEoi() {
  const { eoi, reference, deadline, closed, step } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const formRef = useRef<HTMLFormElement>(null);
  const hasFields = step in stepFields;
  const autosave = useAutosave(formRef, { url: `/eois/${eoi.id}/autosave`, step, enabled: hasFields });
  const StepFields = hasFields ? stepFields[step as keyof typeof stepFields] : null;
  const index = eoiSteps.indexOf(step);
  const errors: FieldErrors = { ...result?.errors, ...autosave.fieldErrors };
  const saving = navigation.state === "submitting";
  const status =
    saving || autosave.status === "pending"
      ? t("eoiForm.saving")
      : autosave.status === "retrying"
        ? t("eoiForm.saveRetrying")
        : autosave.status === "invalid" || (autosave.status === "idle" && result?.formError)
          ? t("eoiForm.notSavedFields")
          : autosave.status === "saved" || result?.saved
            ? t("eoiForm.saved")
            : "";
  const missingSteps = new Set((result?.missing ?? []).map((field) => stepOfField[field]).filter(Boolean) as EoiStep[]);

  return (
    <div className="page">
      <p>
        <Link to={`/eois/${eoi.id}`}>{t("eoiForm.backToEoi")}</Link>
      </p>
      <h1>{eoi.centre_name || t("eoiForm.title")}</h1>
      <p className="muted">
        {eoi.call?.title} · {t("calls.deadline")}: {deadline ? <LocalTime iso={deadline} /> : null}
        {deadline ? (
          <>
            {" "}
            · <TimeLeft until={deadline} />
          </>
        ) : null}
      </p>
      <nav aria-label={t("eoiForm.steps")} className="stepper">
        <ol>
          {eoiSteps.map((name, position) => (
            <li
              key={name}
              className={missingSteps.has(name) ? "stepper__item stepper__item--missing" : "stepper__item"}
            >
              <Link to={`/eois/${eoi.id}/edit/${name}`} aria-current={name === step ? "step" : undefined}>
                {position + 1}. {t(`eoiForm.stepNames.${name}`)}
              </Link>
            </li>
          ))}
        </ol>
      </nav>
      <h2>{t(`eoiForm.stepNames.${step}`)}</h2>
      {eoi.status === "clarification_requested" ? (
        <p className="alert alert--info">{t("eoiForm.clarificationEditing")}</p>
      ) : null}
      <FormAlert error={result?.formError} />
      <p className="save-status" role="status" data-autosave={autosave.listening ? autosave.status : undefined}>
        {status}
      </p>

      {step === "attachments" ? (
        <section aria-labelledby="attachments-title">
          <h3 id="attachments-title">{t("attachments.title")}</h3>
          <AttachmentList files={eoi.attachments} removeAction={`/eois/${eoi.id}/attachments`} />
          <AttachmentUpload action={`/eois/${eoi.id}/attachments`} serverError={searchParams.get("uploadError")} />
        </section>
      ) : null}

      {step === "review" ? <EoiSummary eoi={eoi} reference={reference} /> : null}

      <Form method="post" noValidate className="form" ref={formRef}>
        {StepFields ? <StepFields eoi={eoi} reference={reference} values={result?.values} errors={errors} /> : null}
        <div className="actions">
          {index > 0 ? (
            <button type="submit" name="intent" value="back" className="button button--secondary">
              {t("eoiForm.back")}
            </button>
          ) : null}
          {hasFields ? (
            <button type="submit" name="intent" value="save" className="button button--secondary">
              {t("eoiForm.save")}
            </button>
          ) : null}
          {step !== "review" ? (
            <button type="submit" name="intent" value="next" className="button">
              {t("eoiForm.next")}
            </button>
          ) : eoi.status === "draft" ? (
            <>
              <button
                type="submit"
                name="intent"
                value="submit"
                className="button"
                disabled={closed}
                aria-describedby={closed ? "submit-closed" : undefined}
              >
                {t("eoiForm.submit")}
              </button>
              {closed ? (
                <p id="submit-closed" className="field__error">
                  {t("eoiForm.submitClosed")}
                </p>
              ) : null}
            </>
          ) : (
            <Link to={`/eois/${eoi.id}`} className="button">
              {t("eoiForm.answerOnPage")}
            </Link>
          )}
        </div>
      </Form>
    </div>
  );
}
