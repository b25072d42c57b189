import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime } from "~/components/fields";
import { pageTitle } from "~/lib/meta";
import { notificationLink } from "~/lib/notification-links";
import { requireRoles } from "~/lib/session.server";
import { listNotifications, markAllRead } from "~/models/notifications.server";
import { readFormData } from "~/lib/form-data.server";
import { z } from "zod";

const commentPayload = z.object({ author: z.string().optional(), excerpt: z.string().optional() });

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "notifications.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await requireRoles(request, context);
  return data({ notifications: await listNotifications(supabase, user.id) }, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase, user } = await requireRoles(request, context);
  await readFormData(request);
  await markAllRead(supabase, user.id);
  return redirect("/notifications");
}

/** A comment or mention notification quotes who wrote and the first words (issue 17). */
function CommentExcerpt({ payload }: { payload: unknown }) {
  const { t } = useTranslation();
  const parsed = commentPayload.safeParse(payload);
  if (!parsed.success || !parsed.data.excerpt) return null;
  return (
    <p className="notification-excerpt">
      {t("notifications.excerpt", {
        author: parsed.data.author || t("notifications.mail.someone"),
        excerpt: parsed.data.excerpt,
      })}
    </p>
  );
}

export default function Notifications() {
  const { notifications } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <div className="page-heading">
        <h1>{t("notifications.title")}</h1>
        <Link to="/settings/notifications">{t("notifications.settingsLink")}</Link>
        {notifications.some((item) => !item.read_at) ? (
          <Form method="post">
            <button type="submit" className="button button--secondary">
              {t("notifications.markAllRead")}
            </button>
          </Form>
        ) : null}
      </div>
      {notifications.length === 0 ? (
        <p>{t("notifications.none")}</p>
      ) : (
        <ul className="notification-list">
          {notifications.map((item) => (
            <li key={item.id} className={item.read_at ? "" : "unread"}>
              <Link to={notificationLink(item.kind, item.entity_type, item.entity_id)}>
                {t(`notifications.kinds.${item.kind}`, { defaultValue: t("notifications.generic") })}
              </Link>{" "}
              <span className="muted">
                <LocalTime iso={item.created_at} />
              </span>
              <CommentExcerpt payload={item.payload} />
              {item.read_at ? null : <span className="visually-hidden"> ({t("notifications.unread")})</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
