import type { SupabaseClient } from "@supabase/supabase-js";
import type { FieldErrors } from "~/lib/forms";
import type { Database, RpcArgs } from "~/lib/database.types";
import { rpcSchemas, type RpcName } from "~/validation/rpc";

export interface RpcFailure {
  /** The stable code the database raised (its HINT), `invalid_input` for a payload refused before sending. */
  code: string;
  message: string;
  details?: string;
  fieldErrors?: FieldErrors;
}

/** Calls a transition function with a payload validated by its zod schema; errors carry the database's code. */
export async function callRpc<N extends RpcName>(
  client: SupabaseClient<Database>,
  name: N,
  args: RpcArgs<N>,
): Promise<{ data: Database["public"]["Functions"][N]["Returns"] | null; error: RpcFailure | null }> {
  const parsed = rpcSchemas[name].safeParse(args);
  if (!parsed.success) {
    const fieldErrors: FieldErrors = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= { key: issue.message };
    return { data: null, error: { code: "invalid_input", message: parsed.error.message, fieldErrors } };
  }
  // supabase-js cannot narrow a generic function name; the schema above has checked the payload's shape.
  const { data, error } = await client.rpc(name as never, parsed.data as never);
  if (error)
    return {
      data: null,
      error: { code: error.hint || error.code || "unexpected", message: error.message, details: error.details },
    };
  return { data, error: null };
}
