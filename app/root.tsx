import "~/lib/zod-client-config";
import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRevalidator,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, useState } from "react";
import { useDeviceCopyOwner } from "~/lib/device-copies";
import { I18nextProvider, useTranslation } from "react-i18next";
import { LanguageSwitcher } from "~/components/language-switcher";
import { textDirection, type LanguageCode } from "~/i18n/config";
import { detectLanguage } from "~/i18n/language.server";
import { useRequestLanguage } from "~/i18n/request-language";
import { pageStringsId, usePageStringsJson } from "~/i18n/page-strings";
import { hasTranslation, i18nFor, loadTranslation } from "~/i18n/translations";
import { getAppEnv } from "~/lib/env.server";
import { inlineStylesheetId, useInlineStylesheet } from "~/lib/inline-stylesheet";
import { isTimeZoneName, TIME_ZONE_COOKIE } from "~/lib/datetime";
import { timeZoneFromCookie } from "~/lib/time-zone.server";
import { useNonce } from "~/lib/nonce";
import { getRequestRoles, getRequestSession } from "~/lib/session.server";
import { countUnread } from "~/models/notifications.server";
import stylesheet from "~/styles/app.css?url";

// The site stylesheet is not among the links: Document puts it in the page (useInlineStylesheet).
export const links: LinksFunction = () => [{ rel: "icon", href: "/favicon.svg", type: "image/svg+xml" }];

export const meta: MetaFunction = () => [{ title: "Accelerator Network" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [language, session] = await Promise.all([detectLanguage(request), getRequestSession(request, context)]);
  const [roles, unread] = session.user
    ? await Promise.all([getRequestRoles(request, session), countUnread(session.supabase, session.user.id)])
    : [[], 0];
  const user = session.user
    ? {
        id: session.user.id,
        email: session.user.email ?? "",
        name: String(session.user.user_metadata.display_name ?? "") || (session.user.email ?? ""),
        roles,
        unread,
      }
    : null;
  const timeZone = timeZoneFromCookie(request.headers.get("cookie"));
  return data(
    { language, user, timeZone, embedded: getAppEnv().APP_MODE === "embedded" },
    { headers: session.headers },
  );
}

export function useRootData() {
  return useRouteLoaderData<typeof loader>("root");
}

function SiteHeader() {
  const { t } = useTranslation();
  const root = useRootData();
  const requestLanguage = useRequestLanguage();
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link to="/" className="brand">
          <span className="brand__name">{t("app.name")}</span>
          <span className="brand__tagline">{t("app.tagline")}</span>
        </Link>
        <nav aria-label={t("app.primaryNavigation")} className="site-nav">
          {root?.user ? (
            <>
              <Link to="/home">{t("nav.home")}</Link>
              <Link to="/calls">{t("nav.calls")}</Link>
              {root.user.roles.includes("applicant") ? <Link to="/eois">{t("nav.myEois")}</Link> : null}
              {root.user.roles.some((role) => role === "reviewer" || role === "coordinator") ? (
                <Link to="/review">{t("nav.queue")}</Link>
              ) : null}
              {root.user.roles.some((role) => role === "applicant" || role === "reviewer" || role === "coordinator") ? (
                <Link to="/applications">{t("nav.applications")}</Link>
              ) : null}
              {root.user.roles.some((role) => role === "board_member" || role === "board_chair") ? (
                <Link to="/board">{t("nav.board")}</Link>
              ) : null}
              {root.user.roles.some((role) => role !== "applicant") ? (
                <Link to="/dashboards">{t("nav.dashboards")}</Link>
              ) : null}
              <Link to="/centres">{t("nav.centres")}</Link>
              <Link to="/reports">{t("nav.reports")}</Link>
              {root.user.roles.includes("coordinator") ? <Link to="/people">{t("nav.people")}</Link> : null}
              <Link to="/notifications">
                {t("nav.notifications")}
                {root.user.unread > 0 ? (
                  <span className="badge">
                    {root.user.unread}
                    <span className="visually-hidden"> {t("nav.unread")}</span>
                  </span>
                ) : null}
              </Link>
              <span className="site-nav__user">{t("nav.signedInAs", { name: root.user.name })}</span>
              <Form method="post" action="/sign-out">
                <button type="submit" className="button button--secondary button--small">
                  {t("nav.signOut")}
                </button>
              </Form>
            </>
          ) : (
            <>
              <Link to="/calls">{t("nav.calls")}</Link>
              <Link to="/centres">{t("nav.centres")}</Link>
              <Link to="/sign-in">{t("nav.signIn")}</Link>
              <Link to="/sign-up">{t("nav.signUp")}</Link>
            </>
          )}
        </nav>
        <LanguageSwitcher current={root?.language ?? requestLanguage} />
      </div>
    </header>
  );
}

/**
 * The language the page is shown in: the wanted one once its strings are here (always on the server and at
 * hydration), else the one shown before while the browser fetches the new strings (a language switch without reload).
 */
function useShownLanguage(wanted: LanguageCode): LanguageCode {
  const ready = hasTranslation(wanted);
  const [shown, setShown] = useState(wanted);
  const [, setArrivals] = useState(0);
  if (ready && shown !== wanted) setShown(wanted);
  useEffect(() => {
    if (ready) return;
    let current = true;
    loadTranslation(wanted).then(
      () => current && setArrivals((count) => count + 1),
      (error: unknown) => console.error(error),
    );
    return () => {
      current = false;
    };
  }, [wanted, ready]);
  return ready ? wanted : shown;
}

/**
 * The reader's time zone reaches the server as a cookie, set before anything renders (issue 17). The server formats
 * every moment in the zone the cookie names (UTC without one) and hydration uses the same zone; when the browser's
 * zone differs from the one the page was rendered with (a first visit), the loaders run again with the cookie.
 */
const timeZoneScript = `(function(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var c="${TIME_ZONE_COOKIE}="+encodeURIComponent(z);if(z&&(";"+document.cookie.replace(/ /g,"")+";").indexOf(";"+c+";")<0)document.cookie=c+"; path=/; max-age=31536000; samesite=lax"}catch(e){}})()`;

function TimeZoneSync({ rendered }: { rendered: string | undefined }) {
  const revalidator = useRevalidator();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (rendered === undefined || zone === rendered || !isTimeZoneName(zone)) return;
    if (!document.cookie.includes(`${TIME_ZONE_COOKIE}=`)) return;
    revalidator.revalidate();
    // Once per zone the page was rendered with: a revalidation that still renders UTC (cookies off) stops here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rendered]);
  return null;
}

/** Plans kept on this device belong to whoever is signed in: signing out clears them all (issue 18). */
function DeviceCopyOwner({ userId }: { userId: string | null }) {
  useDeviceCopyOwner(userId);
  return null;
}

/**
 * The strings this page's render used, as data, last in the body so the render has looked them all up; the browser
 * hydrates with them (app/i18n/page-strings.ts). Data is never run, but it carries the nonce like every script tag of
 * ours, so a tag without one in a page is always someone else's.
 */
function PageStrings({ language, nonce }: { language: LanguageCode; nonce: string | undefined }) {
  const json = usePageStringsJson(language);
  if (json === undefined) return null;
  return (
    <script
      type="application/json"
      id={pageStringsId}
      nonce={nonce}
      suppressHydrationWarning
      dangerouslySetInnerHTML={{ __html: json }}
    />
  );
}

function Document({ children }: { children: React.ReactNode }) {
  const root = useRootData();
  const requestLanguage = useRequestLanguage();
  const language = useShownLanguage(root?.language ?? requestLanguage);
  const i18n = i18nFor(language);
  if (!i18n) throw new Error(`The ${language} strings are not loaded`);
  const nonce = useNonce();
  const inlineStylesheet = useInlineStylesheet();
  return (
    <html lang={language} dir={textDirection(language)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: timeZoneScript }} />
        <Meta />
        {inlineStylesheet === undefined ? (
          <link rel="stylesheet" href={stylesheet} />
        ) : (
          <style id={inlineStylesheetId} nonce={nonce} dangerouslySetInnerHTML={{ __html: inlineStylesheet }} />
        )}
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          <a href="#main-content" className="skip-link">
            {i18n.t("app.skipToContent")}
          </a>
          <SiteHeader />
          <main id="main-content" tabIndex={-1}>
            {children}
          </main>
          <footer className="site-footer">
            <p>{i18n.t("app.footer")}</p>
            {root?.embedded ? (
              <p>
                {i18n.t("app.embeddedNotice")} <Link to="/dev/mail">{i18n.t("app.openMailViewer")}</Link>
              </p>
            ) : null}
          </footer>
        </I18nextProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
        <PageStrings language={language} nonce={nonce} />
      </body>
    </html>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  return <Document>{children}</Document>;
}

export default function App() {
  const root = useRootData();
  return (
    <>
      <TimeZoneSync rendered={root?.timeZone} />
      <DeviceCopyOwner userId={root?.user?.id ?? null} />
      <Outlet />
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const kinds: Record<number, string> = {
    400: "badRequest",
    403: "forbidden",
    404: "notFound",
    413: "tooLarge",
    415: "unsupported",
  };
  const kind = kinds[status] ?? "generic";
  return (
    <div className="page page--narrow">
      <h1>{t(`errorPage.${kind}Title`)}</h1>
      <p>{t(`errorPage.${kind}Body`)}</p>
      <p>
        <Link to="/">{t("errorPage.backHome")}</Link>
      </p>
    </div>
  );
}
