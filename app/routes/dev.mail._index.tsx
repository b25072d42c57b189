import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireMailViewer } from "~/lib/dev-mail.server";
import { pageTitle } from "~/lib/meta";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "devMail.title");

/** Dev-only: exists in embedded mode alone, for this machine's browsers and coordinators (see requireMailViewer). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const outbox = await requireMailViewer(request, context);
  return { mails: await outbox.list(200) };
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
