import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { LocalTime, StatusBadge, TimeLeft } from "~/components/fields";
import { RevisionCycle } from "~/components/application-summary";
import { BoardBookDownload } from "~/components/board-book-download";
import { FormAlert } from "~/components/form-alert";
import { pageTitle } from "~/lib/meta";
import { requireRoles } from "~/lib/session.server";
import { closeReview, getReview } from "~/models/board.server";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "board.reviewPageTitle");

const params = z.object({ reviewId: z.uuid() });

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { reviewId } = parseParams(params, raw);
  const { supabase, user, roles, headers } = await requireRoles(request, context, ["board_member", "board_chair"]);
  const review = await getReview(supabase, reviewId, user.id);
  if (!review) throw notFound();
  return data({ review, isChair: roles.includes("board_chair") }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { reviewId } = parseParams(params, raw);
  const { supabase } = await requireRoles(request, context, ["board_chair"]);
  await readFormData(request);
  const result = await closeReview(supabase, reviewId);
  return result.error
    ? data({ formError: { key: `dbErrors.${result.error.code}` } }, 400)
    : redirect(`/board/reviews/${reviewId}`);
}

export default function BoardReview() {
  const { review, isChair } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const open = review.status === "open";
  return (
    <div className="page">
      <p>
        <Link to="/board">{t("board.back")}</Link>
      </p>
      <h1>{review.title}</h1>
      <p>
        <StatusBadge status={`review_${review.status}`} />
      </p>
      <p>
        <Link to={`/dashboards?review=${review.id}&with=review#portfolio`}>{t("dashboards.reviewBalance")}</Link>
      </p>
      <FormAlert error={result?.formError} />
      <dl className="facts">
        <dt>{t("board.closesAt")}</dt>
        <dd>
          <LocalTime iso={review.closes_at} />
          {open ? (
            <>
              {" "}
              (<TimeLeft until={review.closes_at} />)
            </>
          ) : null}
        </dd>
        <dt>{t("board.quorum")}</dt>
        <dd>{review.quorum ?? t("board.quorumDefault")}</dd>
        <dt>{t("board.planEditing")}</dt>
        <dd>{review.allow_plan_editing ? t("board.planEditingAllowed") : t("board.planEditingCommentOnly")}</dd>
        {review.closed_at ? (
          <>
            <dt>{t("board.closedAt")}</dt>
            <dd>
              <LocalTime iso={review.closed_at} />
            </dd>
          </>
        ) : null}
      </dl>
      <section aria-labelledby="packets-title">
        <h2 id="packets-title">{t("board.packets")}</h2>
        <p className="muted">{t("board.packetsHelp")}</p>
        <ul className="card-list">
          {review.packets.map((packet) => (
            <li key={packet.id} className="card">
              <h3>
                <Link to={`/board/packets/${packet.id}`}>{packet.heading?.centre_name || t("eois.untitled")}</Link>
              </h3>
              <p>{packet.heading ? `${packet.heading.host_institution} (${packet.heading.country_code})` : null}</p>
              <p>
                {packet.declared === "none"
                  ? t("board.declaredNone")
                  : packet.declared === "conflict"
                    ? t("board.declaredConflict")
                    : t("board.notDeclared")}
                {packet.heading?.status ? (
                  <>
                    {" "}
                    · <StatusBadge status={packet.heading.status} />
                  </>
                ) : null}
                {packet.heading?.revision_cycle !== null && packet.heading?.revision_cycle !== undefined ? (
                  <>
                    {" "}
                    · <RevisionCycle cycle={packet.heading.revision_cycle} />
                  </>
                ) : null}
              </p>
            </li>
          ))}
        </ul>
      </section>
      <BoardBookDownload reviewId={review.id} />
      {isChair && open ? (
        <details className="danger-zone">
          <summary>{t("board.closeReview")}</summary>
          <Form method="post" className="form form--compact">
            <p>{t("board.closeReviewHelp")}</p>
            <button type="submit" className="button button--danger" disabled={navigation.state === "submitting"}>
              {t("board.closeReviewConfirm")}
            </button>
          </Form>
        </details>
      ) : null}
    </div>
  );
}
