import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { ChoiceGroup, LocalTime, SelectField } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { getAppEnv } from "~/lib/env.server";
import { notificationCategories, notificationDeliveries } from "~/lib/enums";
import { timeZoneFromCookie } from "~/lib/time-zone.server";
import { dispatchIntent, parseIntentForm, readFormData } from "~/lib/form-data.server";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import {
  getNotificationSettings,
  settingsFailure,
  settingsForm,
  settingsHandlers,
} from "~/models/notification-settings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "notificationSettings.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await requireRoles(request, context);
  const settings = await getNotificationSettings(supabase, user.id);
  // Until the person chooses, offer the zone their browser reported (the `tz` cookie).
  const browserZone = timeZoneFromCookie(request.headers.get("cookie"));
  const zones = Intl.supportedValuesOf("timeZone");
  return data(
    {
      ...settings,
      suggestedZone: settings.timeZone === "UTC" ? browserZone : settings.timeZone,
      zones: zones.includes("UTC") ? zones : ["UTC", ...zones],
      siteUrl: getAppEnv().SITE_URL,
    },
    { headers },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase, user } = await requireRoles(request, context);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(settingsForm, formData);
  if (!parsed.success)
    return settingsFailure(formData)(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  return dispatchIntent(parsed.data, settingsHandlers(supabase, user.id, formData));
}

export default function NotificationSettings() {
  const { deliveries, suggestedZone, zones, feedSince, siteUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const feedUrl = result?.feedToken ? new URL(`/calendar/${result.feedToken}.ics`, siteUrl).toString() : null;
  return (
    <div className="page page--narrow">
      <p>
        <Link to="/notifications">{t("notificationSettings.back")}</Link>
      </p>
      <h1>{t("notificationSettings.title")}</h1>
      <p>{t("notificationSettings.intro")}</p>
      {result?.notice ? <FormNotice title={t(result.notice)}>{t("notificationSettings.noticeBody")}</FormNotice> : null}
      {result?.intent === "preferences" ? <FormAlert error={result.formError} /> : null}
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="preferences" />
        {notificationCategories.map((category) => (
          <ChoiceGroup
            key={category}
            type="radio"
            name={category}
            label={t(`notificationSettings.categories.${category}`)}
            error={errors[category]}
            selected={[values[category] ?? deliveries[category]]}
            options={notificationDeliveries.map((delivery) => ({
              value: delivery,
              label: t(`notificationSettings.deliveries.${delivery}`),
            }))}
          />
        ))}
        <SelectField
          name="time_zone"
          label={t("notificationSettings.timeZone")}
          hint={t("notificationSettings.timeZoneHint")}
          error={errors.time_zone}
          defaultValue={values.time_zone ?? suggestedZone}
          options={zones.map((zone) => ({ value: zone, label: zone }))}
        />
        <button type="submit" className="button">
          {t("notificationSettings.save")}
        </button>
      </Form>

      <section aria-labelledby="calendar-title">
        <h2 id="calendar-title">{t("notificationSettings.calendarTitle")}</h2>
        <p>{t("notificationSettings.calendarIntro")}</p>
        {feedUrl ? (
          <div className="field">
            <label htmlFor="feed-url">{t("notificationSettings.feedUrl")}</label>
            <input id="feed-url" type="text" readOnly value={feedUrl} className="feed-url" />
            <p className="field__hint">{t("notificationSettings.feedUrlHint")}</p>
          </div>
        ) : feedSince ? (
          <p>
            {t("notificationSettings.feedSince")} <LocalTime iso={feedSince} />
          </p>
        ) : null}
        {result?.intent === "reset-feed" ? <FormAlert error={result.formError} /> : null}
        <Form method="post">
          <input type="hidden" name="intent" value="reset-feed" />
          {feedSince || feedUrl ? (
            <ConfirmSubmit
              className="button button--secondary"
              label={t("notificationSettings.resetFeed")}
              title={t("notificationSettings.replaceTitle")}
              confirmLabel={t("notificationSettings.replaceConfirm")}
              danger
            >
              <p>{t("notificationSettings.replaceBody")}</p>
            </ConfirmSubmit>
          ) : (
            <button type="submit" className="button button--secondary">
              {t("notificationSettings.createFeed")}
            </button>
          )}
        </Form>
      </section>
    </div>
  );
}
