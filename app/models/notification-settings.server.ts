import { data } from "@remix-run/node";
import { z } from "zod";
import { isConfirmed } from "~/lib/confirmation";
import { databaseError } from "~/lib/db-read.server";
import { notificationCategories, notificationDeliveries, type NotificationCategory } from "~/lib/enums";
import type { IntentHandlers } from "~/lib/form-data.server";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { callRpc } from "~/lib/rpc.server";
import type { SupabaseServerClient } from "~/lib/supabase.server";
import { getOwnFeed, resetFeed } from "./calendar.server";

export type Delivery = (typeof notificationDeliveries)[number];

/** What the settings page shows (issue 17): a choice per kind (immediately when none), the zone, the feed. */
export async function getNotificationSettings(supabase: SupabaseServerClient, userId: string) {
  const [preferences, profile, feed] = await Promise.all([
    supabase.from("notification_preferences").select("category, delivery").eq("person_id", userId),
    supabase.from("profiles").select("time_zone").eq("id", userId).maybeSingle(),
    getOwnFeed(supabase, userId),
  ]);
  if (preferences.error) throw databaseError("notification preferences", preferences.error);
  if (profile.error) throw databaseError("profile", profile.error);
  const chosen = new Map(preferences.data.map((row) => [row.category, row.delivery]));
  return {
    deliveries: Object.fromEntries(
      notificationCategories.map((category) => [category, chosen.get(category) ?? "immediately"]),
    ) as Record<NotificationCategory, Delivery>,
    timeZone: profile.data?.time_zone ?? "UTC",
    feedSince: feed?.created_at ?? null,
  };
}

const delivery = z.enum(notificationDeliveries, "errors.invalidChoice");
export type SettingsForm = z.infer<typeof settingsForm>;
export const settingsForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("preferences"),
    ...Object.fromEntries(notificationCategories.map((category) => [category, delivery])),
    time_zone: z.string().trim().min(1, "errors.required").max(64, "errors.tooLong"),
  }) as z.ZodObject<
    { intent: z.ZodLiteral<"preferences">; time_zone: z.ZodString } & Record<NotificationCategory, typeof delivery>
  >,
  z.object({ intent: z.literal("reset-feed") }),
]);

type Result = {
  intent: string;
  formError: FieldError | null;
  errors: FieldErrors;
  values: Record<string, string>;
  notice: string | null;
  feedToken: string | null;
};

/** The settings page's posts: save the choices and the zone, or (re)create the calendar feed's secret. */
/** The settings form's answer when it is refused: what was typed comes back with the errors. */
export function settingsFailure(formData: FormData) {
  return (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data<Result>({ intent, formError, errors, values: formValues(formData), notice: null, feedToken: null }, 400);
}

/** One handler per intent of the settings form (the route parses and dispatches). */
export function settingsHandlers(supabase: SupabaseServerClient, userId: string, formData: FormData) {
  const fail = settingsFailure(formData);
  const handlers = {
    preferences: async (form: Extract<SettingsForm, { intent: "preferences" }>) => {
      const zone = await callRpc(supabase, "set_my_time_zone", { zone: form.time_zone });
      if (zone.error)
        return fail(
          form.intent,
          { key: "errors.formHasErrors" },
          { time_zone: { key: "notificationSettings.badZone" } },
        );
      for (const category of notificationCategories) {
        const saved = await callRpc(supabase, "set_notification_preference", { category, delivery: form[category] });
        if (saved.error) return fail(form.intent, { key: `dbErrors.${saved.error.code}` });
      }
      return data<Result>({
        intent: form.intent,
        formError: null,
        errors: {},
        values: {},
        notice: "notificationSettings.saved",
        feedToken: null,
      });
    },
    "reset-feed": async (form: Extract<SettingsForm, { intent: "reset-feed" }>) => {
      // Replacing an address stops the old one at once, so it must be confirmed; creating the first one need not.
      if (!isConfirmed(formData) && (await getOwnFeed(supabase, userId)))
        return fail(form.intent, { key: "errors.confirmationRequired" });
      const reset = await resetFeed(supabase);
      if (reset.error || !reset.data)
        return fail(form.intent, { key: `dbErrors.${reset.error?.code ?? "unexpected"}` });
      return data<Result>({
        intent: form.intent,
        formError: null,
        errors: {},
        values: {},
        notice: "notificationSettings.feedReset",
        feedToken: reset.data,
      });
    },
  } satisfies IntentHandlers<SettingsForm>;
  return handlers;
}
