import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { pageTitle } from "~/lib/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "devMail.title");

/** Dev-only: exists in embedded mode alone, where mail never leaves the machine. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (!context.mailOutbox) throw new Response("Not found", { status: 404 });
  return { mails: await context.mailOutbox.list(200) };
}

export default function MailViewer() {
  const { mails } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "medium" });
  return (
    <div className="page">
      <h1>{t("devMail.title")}</h1>
      <p>{t("devMail.intro")}</p>
      {mails.length === 0 ? (
        <p>{t("devMail.empty")}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("devMail.sentAt")}</th>
              <th scope="col">{t("devMail.to")}</th>
              <th scope="col">{t("devMail.subject")}</th>
            </tr>
          </thead>
          <tbody>
            {mails.map((mail) => (
              <tr key={mail.id}>
                <td>
                  <time dateTime={mail.createdAt}>{format.format(new Date(mail.createdAt))}</time>
                </td>
                <td>{mail.toEmail}</td>
                <td>
                  <Link to={`/dev/mail/${mail.id}`}>{mail.subject}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
