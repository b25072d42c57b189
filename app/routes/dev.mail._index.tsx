import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, TableScroll } from "~/components/fields";
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
  const { t } = useTranslation();
  return (
    <div className="page">
      <h1>{t("devMail.title")}</h1>
      <p>{t("devMail.intro")}</p>
      {mails.length === 0 ? (
        <p>{t("devMail.empty")}</p>
      ) : (
        <TableScroll label={t("devMail.title")}>
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
                    <LocalTime iso={mail.createdAt} />
                  </td>
                  <td>{mail.toEmail}</td>
                  <td>
                    <Link to={`/dev/mail/${mail.id}`}>{mail.subject}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
