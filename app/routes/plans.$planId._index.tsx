import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { CommentAtCaret } from "~/components/plan-editor/comment-placement";
import { CommentsPanel } from "~/components/plan-editor/comments-panel";
import { PlanOutline } from "~/components/plan-editor/outline";
import { useLongPlan } from "~/components/plan-editor/use-long-plan";
import { PlanEditor, type Participant, type SelectionForComment } from "~/components/plan-editor/plan-editor";
import { PlanStatusBar } from "~/components/plan-editor/plan-status-bar";
import { SuggestionsPanel, useOpenSuggestions } from "~/components/plan-editor/suggestions-panel";
import { usePlanConnection } from "~/components/plan-editor/use-plan-connection";
import { FormNotice } from "~/components/form-alert";
import { StatusBadge } from "~/components/fields";
import { pageTitle } from "~/lib/meta";
import { planLanguageOf } from "~/lib/plan-language";
import { handleCommentAction } from "~/models/plan-comment-actions.server";
import { getPlanPage } from "~/models/plans.server";
import { requireUser } from "~/lib/session.server";
import { notFound, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plan.title");

// A function, not a module-level schema: the browser's bundle of this page then leaves zod out (issue 14).
const params = () => z.object({ planId: z.uuid() });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { planId } = parseParams(params(), raw);
  const { supabase, user, headers } = await requireUser(request, context);
  const page = await getPlanPage(supabase, planId, user.id);
  if (!page) throw notFound(headers);
  const name =
    (user.user_metadata?.display_name as string | undefined)?.trim() || (user.email ?? "").split("@")[0] || "";
  // Issue 18: the reader's own suggestions carry their own name, like everyone else's (they read "Someone" before).
  const people = { ...page.people, [user.id]: page.people[user.id] ?? name };
  return data({ ...page, people, me: { id: user.id, name } }, { headers });
}

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { planId } = parseParams(params(), raw);
  const { supabase } = await requireUser(request, context);
  return handleCommentAction(supabase, context.collab, planId, await readFormData(request));
}

export default function PlanPage() {
  const { plan, access, threads, approved, me, mentionable, people } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [searchParams] = useSearchParams();
  const onCommentsChanged = useCallback(() => revalidator.revalidate(), [revalidator]);
  const [connection, status] = usePlanConnection(plan.id, onCommentsChanged, { userId: me.id });
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [pending, setPending] = useState<SelectionForComment | null>(null);
  const canComment = access === "comment" || access === "edit";
  // Issue 18: people who may edit choose Editing or Suggesting; comment rights always suggest.
  const [suggestingChosen, setSuggesting] = useState(false);
  const suggesting = access === "comment" || (access === "edit" && suggestingChosen);
  const suggestions = useOpenSuggestions(connection);
  // A suggestion by someone the page has no name for yet (they suggested live, after it loaded): read the names
  // again once the collaboration server has stored the plan (it names its suggestions' authors), a few times at most,
  // each wait twice the last.
  const unnamed = suggestions.some((suggestion) => !(suggestion.author in people));
  const nameReads = useRef(0);
  const latestRevalidator = useRef(revalidator);
  useEffect(() => {
    latestRevalidator.current = revalidator;
  });
  useEffect(() => {
    if (!unnamed || nameReads.current >= 5) return;
    const timer = setTimeout(
      () => {
        nameReads.current += 1;
        if (latestRevalidator.current.state === "idle") latestRevalidator.current.revalidate();
      },
      2_000 * 2 ** nameReads.current,
    );
    return () => clearTimeout(timer);
  }, [unnamed, people]);
  const anchored = useMemo(
    () =>
      threads
        .filter((thread) => thread.anchor)
        .map((thread) => ({ id: thread.id, anchor: thread.anchor!, resolved: Boolean(thread.resolvedAt) })),
    [threads],
  );
  const clearPending = useCallback(() => setPending(null), []);
  // Working in a long plan (issue 18): outline, jumping to carets and passages, comments beside their text.
  const { editor, setEditor, aside, jumpToPerson, jumpToPassage } = useLongPlan(connection, anchored);
  return (
    <div className="page page--wide">
      <p>
        {plan.amendment ? (
          <Link to={`/amendments/${plan.amendment.id}`}>{t("amendments.backToAmendment")}</Link>
        ) : (
          <Link to={`/applications/${plan.application.id}`}>{t("plan.backToApplication")}</Link>
        )}
      </p>
      <h1 id="plan-title">
        {t(plan.amendment ? "amendments.planHeading" : "plan.pageHeading", {
          name: plan.application.centre_name || t("eois.untitled"),
        })}
      </h1>
      <p>
        <StatusBadge status={plan.amendment?.status ?? plan.application.status} />{" "}
        <span className="access-badge">{t(`plan.access.${access}`)}</span>{" "}
        <Link to={`/plans/${plan.id}/versions`}>{t("plan.versions")}</Link>
        {" · "}
        <Link to={`/plans/${plan.id}/export`}>{t("plan.export")}</Link>
      </p>
      {searchParams.get("restored") ? (
        <FormNotice title={t("plan.restoredTitle")}>
          {t("plan.restoredBody")}{" "}
          {uuid.test(searchParams.get("undo") ?? "") ? (
            <Link to={`/plans/${plan.id}/versions/${searchParams.get("undo")}`}>{t("plan.restoredUndo")}</Link>
          ) : null}
        </FormNotice>
      ) : null}
      {approved ? (
        <section className="panel panel--highlight" aria-labelledby="frozen-title">
          <h2 id="frozen-title">{t("plan.frozenTitle")}</h2>
          <p>{t("plan.frozenBody")}</p>
          <p>
            {t("plan.hash")} <code className="hash">{approved.contentHash}</code>
          </p>
          <p>
            <Link to={`/plans/${plan.id}/versions/${approved.id}`}>{t("plan.openApproved")}</Link>
          </p>
        </section>
      ) : null}
      <PlanStatusBar
        status={status}
        participants={participants}
        selfId={connection?.provider.awareness.clientID}
        onJump={jumpToPerson}
      />
      <SuggestionsPanel
        suggestions={suggestions}
        mayEdit={access === "edit"}
        mayComment={canComment}
        suggesting={suggesting}
        onSuggestingChange={setSuggesting}
        people={people}
      />
      <div className="plan-layout">
        <PlanOutline editor={editor} threads={anchored} />
        <div className="plan-layout__main">
          {connection ? (
            <PlanEditor
              connection={connection}
              status={status}
              me={me}
              threads={anchored}
              labelledBy="plan-title"
              onParticipants={setParticipants}
              onCommentRequest={setPending}
              canComment={canComment}
              language={planLanguageOf(plan.application.plan_language)}
              onEditor={setEditor}
              suggesting={suggesting}
              people={people}
            />
          ) : (
            <div className="plan-editor__loading">{t("plan.loading")}</div>
          )}
          <CommentAtCaret editor={editor} aside={aside} threads={anchored} />
        </div>
        {/* It scrolls on its own beside a long plan (issue 18), so it takes the keyboard's focus to scroll with keys. */}
        <aside className="plan-layout__side" tabIndex={0} aria-labelledby="comments-title" ref={aside}>
          <CommentsPanel
            threads={threads}
            canComment={canComment}
            pending={pending}
            onPendingDone={clearPending}
            mentionable={mentionable}
            onShowPassage={jumpToPassage}
          />
        </aside>
      </div>
    </div>
  );
}
