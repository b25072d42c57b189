import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CallForm } from "~/components/call-form";
import { detectLanguage } from "~/i18n/language.server";
import { parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { getCall, updateCall } from "~/models/calls.server";
import { loadReferenceData } from "~/models/reference.server";
import { callFormSchema, isoToUtcInput, utcInputToIso } from "~/validation/eoi";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "calls.edit");

const params = z.object({ callId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { callId } = parseParams(params, raw);
  const { supabase, headers } = await requireRoles(request, context, ["coordinator"]);
  const call = await getCall(supabase, callId);
  if (!call) throw notFound();
  const reference = await loadReferenceData(supabase, await detectLanguage(request));
  const values = {
    title: call.title,
    description: call.description,
    opens_at: isoToUtcInput(call.opens_at),
    closes_at: isoToUtcInput(call.closes_at),
    allowed_centre_types: call.allowed_centre_types.join("\n"),
    max_revision_cycles: String(call.max_revision_cycles),
  };
  return data({ values, centreTypes: reference.centreTypes }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { callId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["coordinator"]);
  const parsed = parseForm(callFormSchema, await readFormData(request));
  if (!parsed.success) return data({ errors: parsed.fieldErrors, values: parsed.values }, 400);
  await updateCall(supabase, callId, {
    ...parsed.data,
    opens_at: utcInputToIso(parsed.data.opens_at),
    closes_at: utcInputToIso(parsed.data.closes_at),
  });
  throw redirect(`/calls/${callId}`);
}

export default function EditCall() {
  const { values, centreTypes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="page page--form">
      <h1>{t("calls.edit")}</h1>
      <CallForm
        values={result?.values ?? values}
        errors={result?.errors ?? ({} as FieldErrors)}
        centreTypes={centreTypes}
        submitLabel={t("calls.save")}
      />
    </div>
  );
}
