import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { Pagination } from "~/components/pagination";
import { isConfirmed } from "~/lib/confirmation";
import { SelectField, TableScroll } from "~/components/fields";
import { TextField } from "~/components/text-field";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { findPeople, grantRole, invitePerson, revokeRole, setAccountActive } from "~/models/people.server";
import { appRoles } from "~/lib/roles";
import { dispatchIntent, parseIntentForm, readFormData } from "~/lib/form-data.server";
import { asList } from "~/lib/forms";
import { setReviewerRegions } from "~/models/auto-assignment.server";
import { listReviewerWorkload } from "~/models/dashboards.server";
import { regionCodes } from "~/validation/dashboards";
import { parsePeopleQuery, type PeopleQuery } from "~/validation/people";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "people.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await requireRoles(request, context, ["coordinator"]);
  const query = parsePeopleQuery(new URL(request.url));
  const [found, reviewers] = await Promise.all([findPeople(supabase, query), listReviewerWorkload(supabase)]);
  const regions = Object.fromEntries(reviewers.map((reviewer) => [reviewer.reviewer_id, reviewer.regions]));
  return data({ ...found, query: { ...query, page: found.page }, regions, me: user.id }, { headers });
}

const role = z.enum(appRoles, "errors.invalidChoice");
/** Applicants sign themselves up; the coordinator invites the other roles. */
const invitable = z.enum(appRoles, "errors.invalidChoice").exclude(["applicant"], "errors.invalidChoice");
const peopleForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("invite"),
    email: z.string().trim().max(254, "errors.tooLong").pipe(z.email("errors.email")),
    name: z.string().trim().min(1, "errors.required").max(120, "errors.tooLong"),
    role: invitable,
  }),
  z.object({ intent: z.literal("grant"), person: z.uuid(), role }),
  z.object({ intent: z.literal("revoke"), person: z.uuid(), role }),
  z.object({ intent: z.literal("deactivate"), person: z.uuid() }),
  z.object({ intent: z.literal("reactivate"), person: z.uuid() }),
  // A reviewer's ITU regions: automatic assignment prefers them (issue 17).
  z.object({
    intent: z.literal("regions"),
    person: z.uuid(),
    region: z.preprocess(asList, z.array(z.enum(regionCodes, "errors.invalidChoice")).max(regionCodes.length)),
  }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["coordinator"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(peopleForm, formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ intent, formError, errors, values: formValues(formData), notice: null as string | null }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (result: { error: { code: string } | null }, notice = "people.updated") =>
    result.error
      ? fail(form.intent, { key: `dbErrors.${result.error.code}` })
      : data({
          intent: form.intent,
          formError: null,
          errors: {} as FieldErrors,
          values: {} as Record<string, string>,
          notice,
        });

  return dispatchIntent(form, {
    invite: async ({ email, name, role }) => {
      const result = await invitePerson(supabase, { email, name, role }, context.requestId);
      if (result.error) return done(result);
      // Shown found by their email, whatever page of the list they would fall on.
      const what = result.invited ? "invited" : "granted";
      return redirect(`/people?${new URLSearchParams({ q: email, done: what })}`);
    },
    grant: async ({ person, role }) => done(await grantRole(supabase, person, role)),
    revoke: async ({ person, role }) => done(await revokeRole(supabase, person, role)),
    // Deactivation signs the person out everywhere at once: it must be confirmed (issue 11).
    deactivate: async ({ person }) =>
      isConfirmed(formData)
        ? done(await setAccountActive(supabase, person, false))
        : fail(form.intent, { key: "errors.confirmationRequired" }),
    reactivate: async ({ person }) => done(await setAccountActive(supabase, person, true)),
    regions: async ({ person, region }) => done(await setReviewerRegions(supabase, person, region)),
  });
}

/** The search's URL for another page (or none when the search is empty). */
function searchLink(query: PeopleQuery, page: number) {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.role) params.set("role", query.role);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `?${search}` : "?";
}

export default function People() {
  const { people, total, pages, query, regions, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const invited = ["invited", "granted"].find((what) => what === searchParams.get("done"));
  const navigation = useNavigation();
  const { t } = useTranslation();
  const errors = result?.intent === "invite" ? result.errors : ({} as FieldErrors);
  return (
    <div className="page page--wide">
      <h1>{t("people.title")}</h1>
      {result?.notice ? <FormNotice title={t(result.notice)}>{t("people.noticeBody")}</FormNotice> : null}
      {invited && !result ? <FormNotice title={t(`people.${invited}`)}>{t("people.noticeBody")}</FormNotice> : null}
      <FormAlert error={result?.formError} />
      <section className="panel" aria-labelledby="invite-title">
        <h2 id="invite-title">{t("people.invite")}</h2>
        <p>{t("people.inviteIntro")}</p>
        <Form method="post" noValidate className="form form--compact field-row">
          <input type="hidden" name="intent" value="invite" />
          <TextField
            name="name"
            label={t("people.name")}
            defaultValue={result?.intent === "invite" ? result.values.name : undefined}
            error={errors.name}
          />
          <TextField
            name="email"
            type="email"
            label={t("fields.email")}
            defaultValue={result?.intent === "invite" ? result.values.email : undefined}
            error={errors.email}
          />
          <SelectField
            name="role"
            label={t("people.role")}
            placeholder={t("common.choose")}
            error={errors.role}
            defaultValue={result?.intent === "invite" ? result.values.role : undefined}
            options={invitable.options.map((code) => ({
              value: code,
              label: t(`home.roles.${code}`),
            }))}
          />
          <div className="actions">
            <button type="submit" className="button" disabled={navigation.state === "submitting"}>
              {t("people.sendInvite")}
            </button>
          </div>
        </Form>
      </section>
      <section aria-labelledby="find-title">
        <h2 id="find-title">{t("people.findTitle")}</h2>
        <Form method="get" className="form form--compact field-row" role="search" aria-labelledby="find-title">
          <TextField name="q" label={t("people.search")} defaultValue={query.q ?? ""} />
          {/* Not a SelectField: the invitation form above already has a field named "role". */}
          <div className="field">
            <label htmlFor="find-role">{t("people.withRole")}</label>
            <select id="find-role" name="role" defaultValue={query.role ?? ""}>
              <option value="">{t("people.allRoles")}</option>
              {appRoles.map((code) => (
                <option key={code} value={code}>
                  {t(`home.roles.${code}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" className="button button--secondary">
              {t("people.find")}
            </button>
          </div>
        </Form>
        <p role="status">{t("people.found", { count: total })}</p>
      </section>
      <TableScroll label={t("people.title")}>
        <table className="table">
          <caption className="visually-hidden">{t("people.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("people.name")}</th>
              <th scope="col">{t("fields.email")}</th>
              <th scope="col">{t("people.roles")}</th>
              <th scope="col">{t("people.regions")}</th>
              <th scope="col">{t("people.account")}</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>{person.display_name || "—"}</td>
                <td>{person.email}</td>
                <td>
                  <ul className="role-list">
                    {person.roles.map((held) => (
                      <li key={held}>
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="intent" value="revoke" />
                          <input type="hidden" name="person" value={person.id} />
                          <input type="hidden" name="role" value={held} />
                          <span className="role-badge">{t(`home.roles.${held}`)}</span>{" "}
                          <button
                            type="submit"
                            className="button button--small button--secondary"
                            aria-label={t("people.revokeLabel", {
                              role: t(`home.roles.${held}`),
                              name: person.display_name || person.email,
                            })}
                          >
                            {t("people.revoke")}
                          </button>
                        </Form>
                      </li>
                    ))}
                  </ul>
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="grant" />
                    <input type="hidden" name="person" value={person.id} />
                    <label className="visually-hidden" htmlFor={`grant-${person.id}`}>
                      {t("people.grantLabel", { name: person.display_name || person.email })}
                    </label>
                    <select id={`grant-${person.id}`} name="role" defaultValue="">
                      <option value="">{t("people.addRole")}</option>
                      {appRoles
                        .filter((code) => !person.roles.includes(code))
                        .map((code) => (
                          <option key={code} value={code}>
                            {t(`home.roles.${code}`)}
                          </option>
                        ))}
                    </select>{" "}
                    <button type="submit" className="button button--small">
                      {t("people.grant")}
                    </button>
                  </Form>
                </td>
                <td>
                  {person.roles.includes("reviewer") ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value="regions" />
                      <input type="hidden" name="person" value={person.id} />
                      <fieldset className="region-choices">
                        <legend className="visually-hidden">
                          {t("people.regionsLabel", { name: person.display_name || person.email })}
                        </legend>
                        {regionCodes.map((code) => (
                          <label key={code}>
                            <input
                              type="checkbox"
                              name="region"
                              value={code}
                              defaultChecked={(regions[person.id] ?? []).includes(code)}
                            />{" "}
                            {t(`regions.${code}`)}
                          </label>
                        ))}
                      </fieldset>
                      <button
                        type="submit"
                        className="button button--small"
                        aria-label={t("people.saveRegionsLabel", { name: person.display_name || person.email })}
                      >
                        {t("people.saveRegions")}
                      </button>
                    </Form>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  {person.active ? t("people.active") : t("people.inactive")}
                  {person.invited ? <> · {t("people.invitedLabel")}</> : null}
                  {person.id !== me ? (
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="intent" value={person.active ? "deactivate" : "reactivate"} />
                      <input type="hidden" name="person" value={person.id} />
                      {person.active ? (
                        <ConfirmSubmit
                          className="button button--small button--danger"
                          label={t("people.deactivate")}
                          ariaLabel={t("people.deactivateLabel", { name: person.display_name || person.email })}
                          title={t("people.confirmDeactivateTitle", { name: person.display_name || person.email })}
                          confirmLabel={t("people.deactivate")}
                          danger
                        >
                          <p>{t("people.confirmDeactivateBody")}</p>
                        </ConfirmSubmit>
                      ) : (
                        <button
                          type="submit"
                          className="button button--small"
                          aria-label={t("people.reactivateLabel", { name: person.display_name || person.email })}
                        >
                          {t("people.reactivate")}
                        </button>
                      )}
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pagination page={query.page} pages={pages} linkTo={(page) => searchLink(query, page)} />
    </div>
  );
}
