import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CallForm } from "~/components/call-form";
import { detectLanguage } from "~/i18n/language.server";
import { parseForm, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { createCall } from "~/models/calls.server";
import { loadReferenceData } from "~/models/reference.server";
import { callFormSchema, utcInputToIso } from "~/validation/eoi";
import { readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "calls.new");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers } = await requireRoles(request, context, ["coordinator"]);
  const reference = await loadReferenceData(supabase, await detectLanguage(request));
  return data({ centreTypes: reference.centreTypes }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase } = await requireRoles(request, context, ["coordinator"]);
  const parsed = parseForm(callFormSchema, await readFormData(request));
  if (!parsed.success) return data({ errors: parsed.fieldErrors, values: parsed.values }, 400);
  const id = await createCall(supabase, {
    ...parsed.data,
    opens_at: utcInputToIso(parsed.data.opens_at),
    closes_at: utcInputToIso(parsed.data.closes_at),
  });
  throw redirect(`/calls/${id}`);
}

export default function NewCall() {
  const { centreTypes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="page page--form">
      <h1>{t("calls.new")}</h1>
      <p>{t("calls.newIntro")}</p>
      <CallForm
        values={result?.values ?? {}}
        errors={result?.errors ?? ({} as FieldErrors)}
        centreTypes={centreTypes}
        submitLabel={t("calls.create")}
      />
    </div>
  );
}
