import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { LocalTime } from "~/components/fields";
import { FormAlert } from "~/components/form-alert";
import { PlanDocument } from "~/components/plan-document";
import { isConfirmed } from "~/lib/confirmation";
import { pageTitle } from "~/lib/meta";
import { versionLabel } from "~/lib/plan-versions";
import { requireUser } from "~/lib/session.server";
import { changesSince, getPlanAccess, getVersion, planPeople, restoreVersion } from "~/models/plans.server";
import { getPlanLanguage } from "~/models/plan-language.server";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.versionTitle");

const params = z.object({ planId: z.uuid(), versionId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { planId, versionId } = parseParams(params, raw);
  const { supabase, headers } = await requireUser(request, context);
  const [version, access, language, people] = await Promise.all([
    getVersion(supabase, planId, versionId),
    getPlanAccess(supabase, planId),
    getPlanLanguage(supabase, planId),
    planPeople(supabase, planId),
  ]);
  if (!version || !access) throw notFound(headers);
  // What a restore would replace, for the confirmation (only editors may restore).
  const changes = access === "edit" ? await changesSince(supabase, planId, version) : null;
  return data({ planId: planId, version, access, changes, language, people }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { planId, versionId } = parseParams(params, raw);
  const { supabase } = await requireUser(request, context);
  const formData = await readFormData(request);
  // A restore replaces everyone's later work (kept in an automatic version): it must be confirmed (issue 11).
  if (!isConfirmed(formData)) return data({ formError: { key: "errors.confirmationRequired" } }, 400);
  const result = await restoreVersion(supabase, context.collab, planId, versionId);
  if (result.error) return data({ formError: { key: `dbErrors.${result.error.code}` } }, 400);
  throw redirect(`/plans/${planId}?${new URLSearchParams({ restored: "1", undo: result.beforeVersion ?? "" })}`);
}

/** A past version, read-only, rendered by the schema-restricted renderer. */
export default function PlanVersion() {
  const { planId, version, access, changes, language, people } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const name = versionLabel(t, version);
  return (
    <div className="page">
      <p>
        <Link to={`/plans/${planId}/versions`}>{t("plan.backToVersions")}</Link>
      </p>
      <h1>{name}</h1>
      <p>
        {version.kind !== "named" ? (
          <>
            <span className="badge">{t(`plan.kind.${version.kind}`)}</span>{" "}
          </>
        ) : null}
        <LocalTime iso={version.created_at} />
      </p>
      <p>
        {t("plan.hash")} <code className="hash">{version.content_hash}</code>
      </p>
      <FormAlert error={result?.formError} />
      {access === "edit" && changes ? (
        <Form method="post">
          <ConfirmSubmit
            className="button"
            disabled={navigation.state !== "idle"}
            label={t("plan.restore")}
            title={t("plan.confirmRestoreTitle", { name })}
            confirmLabel={t("plan.restoreConfirm")}
          >
            {changes.versions.length > 0 ? (
              <>
                <p>{t("plan.confirmRestoreSince")}</p>
                <ul>
                  {changes.versions.map((later) => (
                    <li key={later.id}>
                      {versionLabel(t, later)} · {later.author ?? t("plan.someone")} ·{" "}
                      <LocalTime iso={later.createdAt} />
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {changes.people.length > 0 ? (
              <p>{t("plan.confirmRestorePeople", { names: changes.people.join(", ") })}</p>
            ) : null}
            {changes.lastEditedAt ? (
              <p>
                {t("plan.confirmRestoreEdited")} <LocalTime iso={changes.lastEditedAt} />
              </p>
            ) : null}
            <p>{t("plan.confirmRestoreUndo", { name: t("plan.beforeRestoring", { name: version.name }) })}</p>
          </ConfirmSubmit>
          <p className="hint">{t("plan.restoreHint")}</p>
        </Form>
      ) : null}
      <article className="panel" aria-label={t("plan.versionContent")}>
        <PlanDocument content={version.content} language={language} people={people} />
      </article>
    </div>
  );
}
