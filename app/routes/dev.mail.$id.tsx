import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime } from "~/components/fields";
import { requireMailViewer } from "~/lib/dev-mail.server";
import { pageTitle } from "~/lib/meta";
import { notFound, parseParams } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "devMail.messageTitle");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const outbox = await requireMailViewer(request, context);
  const { id } = parseParams(z.object({ id: z.coerce.number().int().positive() }), params);
  const mail = await outbox.get(id);
  if (!mail) throw notFound();
  return { mail };
}

/** Shows the text body with its web links made clickable; nothing in a mail is rendered as HTML. */
function MailBody({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/\S+)/g);
  return (
    <pre className="mail-body">
      {parts.map((part, index) =>
        /^https?:\/\//.test(part) ? (
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

export default function MailMessage() {
  const { mail } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="page">
      <p>
        <Link to="/dev/mail">{t("devMail.back")}</Link>
      </p>
      <h1>{mail.subject}</h1>
      <dl className="mail-meta">
        <dt>{t("devMail.to")}</dt>
        <dd>{mail.toEmail}</dd>
        <dt>{t("devMail.sentAt")}</dt>
        <dd>
          <LocalTime iso={mail.createdAt} />
        </dd>
      </dl>
      <MailBody text={mail.textBody} />
    </div>
  );
}
