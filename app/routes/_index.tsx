import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/lib/meta";
import { getRequestSession } from "~/lib/session.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "landing.title");

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, headers } = await getRequestSession(request, context);
  if (user) throw redirect("/home", { headers });
  return null;
}

export default function Landing() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <section className="hero">
        <h1>{t("landing.title")}</h1>
        <p className="lead">{t("landing.intro")}</p>
        <p className="actions">
          <Link to="/sign-in" className="button">
            {t("landing.ctaSignIn")}
          </Link>
          <Link to="/sign-up" className="button button--secondary">
            {t("landing.ctaSignUp")}
          </Link>
        </p>
      </section>
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">{t("landing.stepsTitle")}</h2>
        <ol className="steps">
          <li>{t("landing.step1")}</li>
          <li>{t("landing.step2")}</li>
          <li>{t("landing.step3")}</li>
          <li>{t("landing.step4")}</li>
        </ol>
      </section>
    </div>
  );
}
