import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { createSupabaseServerClient } from "~/lib/supabase.server";
import { signOut } from "~/models/auth.server";
import { readFormData } from "~/lib/form-data.server";

export function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readFormData(request);
  const { supabase, headers } = createSupabaseServerClient(request, context);
  await signOut(supabase);
  return redirect("/", { headers });
}
