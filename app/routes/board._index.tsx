import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ChoiceGroup, LocalTime, StatusBadge, TableScroll } from "~/components/fields";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { formValues, parseForm, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { listReviewCandidates, listReviews, openReview } from "~/models/board.server";
import { openReviewSchema } from "~/validation/board";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "board.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, roles, headers } = await requireRoles(request, context, ["board_member", "board_chair"]);
  const isChair = roles.includes("board_chair");
  const [reviews, candidates] = await Promise.all([
    listReviews(supabase),
    isChair ? listReviewCandidates(supabase) : Promise.resolve([]),
  ]);
  return data({ reviews, candidates, isChair }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["board_chair"]);
  const formData = await readFormData(request);
  const fail = (formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ formError, errors, values: formValues(formData) }, 400);
  const parsed = parseForm(openReviewSchema, formData);
  if (!parsed.success) return fail({ key: "errors.formHasErrors" }, parsed.fieldErrors);
  const result = await openReview(supabase, parsed.data);
  return result.error ? fail({ key: `dbErrors.${result.error.code}` }) : redirect(`/board/reviews/${result.data}`);
}

export default function Board() {
  const { reviews, candidates, isChair } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const errors = result?.errors ?? ({} as FieldErrors);
  const values = result?.values;
  const selected = values ? (values.applications ?? "").split("\n") : searchParams.getAll("application");
  return (
    <div className="page">
      <h1>{t("board.title")}</h1>
      <p>{t("board.intro")}</p>
      <section aria-labelledby="reviews-title">
        <h2 id="reviews-title">{t("board.reviews")}</h2>
        {reviews.length === 0 ? (
          <p>{t("board.noReviews")}</p>
        ) : (
          <TableScroll label={t("board.title")}>
            <table className="table">
              <caption className="visually-hidden">{t("board.reviews")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("board.reviewTitle")}</th>
                  <th scope="col">{t("board.status")}</th>
                  <th scope="col">{t("board.closesAt")}</th>
                  <th scope="col">{t("board.packetCount")}</th>
                </tr>
              </thead>
              <tbody>
                {reviews.map((review) => (
                  <tr key={review.id}>
                    <td>
                      <Link to={`/board/reviews/${review.id}`}>{review.title}</Link>
                    </td>
                    <td>
                      <StatusBadge status={`review_${review.status}`} />
                    </td>
                    <td>
                      <LocalTime iso={review.closes_at} />
                    </td>
                    <td>{review.packetCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      {isChair ? (
        <section aria-labelledby="open-title" className="panel">
          <h2 id="open-title">{t("board.openTitle")}</h2>
          <FormAlert error={result?.formError} />
          {candidates.length === 0 ? (
            <p>{t("board.noCandidates")}</p>
          ) : (
            <Form method="post" noValidate className="form">
              <TextField
                name="title"
                label={t("board.fields.title")}
                defaultValue={values?.title}
                error={errors.title}
                maxLength={200}
              />
              <ChoiceGroup
                name="applications"
                label={t("board.fields.applications")}
                hint={t("board.fields.applicationsHint")}
                selected={selected}
                error={errors.applications}
                options={candidates.map((item) => ({
                  value: item.application_id,
                  label: item.amendment
                    ? t("amendments.boardCandidate", { name: item.centre_name })
                    : item.centre_name || t("eois.untitled"),
                  description: item.amendment
                    ? item.host_institution
                    : `${item.host_institution} (${item.country_code})` +
                      (item.revision_cycle ? ` · ${t("revision.cycle", { cycle: item.revision_cycle })}` : ""),
                }))}
              />
              <div className="field-row">
                <div className={errors.closes_at ? "field field--invalid" : "field"}>
                  <label htmlFor="field-closes_at">{t("board.fields.closesAt")}</label>
                  <input
                    id="field-closes_at"
                    name="closes_at"
                    type="datetime-local"
                    defaultValue={values?.closes_at}
                    aria-invalid={errors.closes_at ? true : undefined}
                    aria-describedby={errors.closes_at ? "field-closes_at-error" : undefined}
                  />
                  {errors.closes_at ? (
                    <p id="field-closes_at-error" className="field__error">
                      {t(errors.closes_at.key)}
                    </p>
                  ) : null}
                </div>
                <div className={errors.quorum ? "field field--invalid" : "field"}>
                  <label htmlFor="field-quorum">{t("board.fields.quorum")}</label>
                  <p id="field-quorum-hint" className="field__hint">
                    {t("board.fields.quorumHint")}
                  </p>
                  <input
                    id="field-quorum"
                    name="quorum"
                    type="number"
                    min={1}
                    step={1}
                    inputMode="numeric"
                    defaultValue={values?.quorum}
                    aria-invalid={errors.quorum ? true : undefined}
                    aria-describedby={errors.quorum ? "field-quorum-hint field-quorum-error" : "field-quorum-hint"}
                  />
                  {errors.quorum ? (
                    <p id="field-quorum-error" className="field__error">
                      {t(errors.quorum.key)}
                    </p>
                  ) : null}
                </div>
              </div>
              <div className="field field--checkbox">
                <input
                  id="field-allow_plan_editing"
                  name="allow_plan_editing"
                  type="checkbox"
                  value="1"
                  defaultChecked={values?.allow_plan_editing === "1"}
                />
                <label htmlFor="field-allow_plan_editing">{t("board.fields.allowPlanEditing")}</label>
              </div>
              <button type="submit" className="button" disabled={navigation.state === "submitting"}>
                {t("board.open")}
              </button>
            </Form>
          )}
        </section>
      ) : null}
    </div>
  );
}
