import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { RolePart } from "~/components/home-todo";
import { pageTitle } from "~/lib/meta";
import { requireUser } from "~/lib/session.server";
import { loadHomeTodo } from "~/models/home.server";
import { getOwnProfile, listOwnRoles } from "~/models/profile.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "home.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, user, headers } = await requireUser(request, context);
  const [profile, roles] = await Promise.all([getOwnProfile(supabase, user.id), listOwnRoles(supabase)]);
  const todo = await loadHomeTodo(supabase, user.id, roles);
  return data({ name: profile?.display_name || user.email || "", roles, todo }, { headers });
}

/** One to-do part per role the person holds, in a fixed order, so a person with several roles sees each of them. */
export default function Home() {
  const { name, roles, todo } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t("home.welcome", { name })}</h1>
      <section aria-labelledby="roles-title" className="roles">
        <h2 id="roles-title">{t("home.yourRoles")}</h2>
        {roles.length === 0 ? (
          <p>{t("home.noRoles")}</p>
        ) : (
          <ul className="role-list">
            {roles.map((role) => (
              <li key={role} className="role-badge">
                {t(`home.roles.${role}`)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="panels">
        {roles.map((role) => (
          <section key={role} className="panel" aria-labelledby={`panel-${role}`} data-role={role}>
            <h2 id={`panel-${role}`}>{t(`home.panels.${role}.title`)}</h2>
            <RolePart role={role} todo={todo} />
          </section>
        ))}
      </div>
    </div>
  );
}
