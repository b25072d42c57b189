import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { languageCodes } from "~/i18n/config";
import { languageCookie } from "~/i18n/language.server";
import { safeRedirectPath } from "~/lib/session.server";
import { readFormData } from "~/lib/form-data.server";

const languageForm = z.object({ language: z.enum(languageCodes), redirectTo: z.string().max(2000).optional() });

export function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = languageForm.safeParse(Object.fromEntries(await readFormData(request)));
  if (!parsed.success) throw new Response("Unknown language", { status: 400 });
  return redirect(safeRedirectPath(parsed.data.redirectTo, "/"), {
    headers: { "set-cookie": await languageCookie.serialize(parsed.data.language) },
  });
}
