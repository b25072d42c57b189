import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { dbErrorOf } from "~/lib/db-error";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ApplicationAnswers, CentreProfile, PlanVersionFacts, RevisionCycle } from "~/components/application-summary";
import { AttachmentList } from "~/components/attachment-upload";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { EoiSummary } from "~/components/eoi-summary";
import { ChoiceGroup, LocalTime, StatusBadge, TextArea } from "~/components/fields";
import { FormAlert, FormNotice } from "~/components/form-alert";
import { MentionHint, MentionPicker } from "~/components/mention-hint";
import { PlanDiff } from "~/components/plan-diff";
import { PlanDocument } from "~/components/plan-document";
import { detectLanguage } from "~/i18n/language.server";
import { isConfirmed } from "~/lib/confirmation";
import { formValues, type FieldError, type FieldErrors } from "~/lib/forms";
import { pageTitle } from "~/lib/meta";
import type { PlanNode } from "~/lib/plan-schema";
import { requireRoles } from "~/lib/session.server";
import { addPacketComment, castVote, declareConflict, getPacket, recordDecision } from "~/models/board.server";
import { loadReferenceData } from "~/models/reference.server";
import { voteChoices } from "~/validation/applications";
import { commentSchema, decisionSchema, declarationSchema, parseConditionRows, voteSchema } from "~/validation/board";
import { ConditionRows } from "~/components/condition-rows";
import { dispatchIntent, notFound, parseIntentForm, parseParams, readFormData } from "~/lib/form-data.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "board.packetPageTitle");

const params = z.object({ packetId: z.uuid() });
const notices = ["declared", "voted", "commented", "decided"] as const;

export async function loader({ request, params: raw, context }: LoaderFunctionArgs) {
  const { packetId } = parseParams(params, raw);
  const { supabase, user, roles, headers } = await requireRoles(request, context, ["board_member", "board_chair"]);
  const isChair = roles.includes("board_chair");
  const [packet, reference] = await Promise.all([
    getPacket(supabase, context.collab, packetId, user.id, isChair),
    loadReferenceData(supabase, await detectLanguage(request)),
  ]);
  if (!packet) throw notFound();
  return data({ packet, reference, isChair }, { headers });
}

const packetForm = z.discriminatedUnion("intent", [
  declarationSchema.safeExtend({ intent: z.literal("declare") }),
  voteSchema.extend({ intent: z.literal("vote") }),
  commentSchema.extend({ intent: z.literal("comment") }),
  decisionSchema.safeExtend({ intent: z.literal("decide") }),
]);

export async function action({ request, params: raw, context }: ActionFunctionArgs) {
  const { packetId } = parseParams(params, raw);
  const { supabase, user } = await requireRoles(request, context, ["board_member", "board_chair"]);
  const formData = await readFormData(request);
  const parsed = parseIntentForm(packetForm, formData);
  const fail = (intent: string, formError: FieldError | null, errors: FieldErrors = {}) =>
    data({ intent, formError, errors, values: formValues(formData) }, 400);
  if (!parsed.success) return fail(parsed.intent, { key: "errors.formHasErrors" }, parsed.fieldErrors);
  const form = parsed.data;
  const done = (
    result: { error: { code: string; details?: string } | null },
    notice: (typeof notices)[number],
    anchor = "",
  ) =>
    result.error
      ? fail(form.intent, dbErrorOf(result.error))
      : redirect(`/board/packets/${packetId}?done=${notice}${anchor}`);

  return dispatchIntent(form, {
    declare: async ({ has_conflict, reason }) =>
      done(await declareConflict(supabase, packetId, has_conflict === "yes", reason), "declared"),
    vote: async ({ choice, reason }) => done(await castVote(supabase, packetId, choice, reason), "voted"),
    comment: async ({ body }) =>
      done(await addPacketComment(supabase, packetId, user.id, body), "commented", "#discussion-title"),
    // A recorded decision is final: it must be confirmed (issue 11).
    decide: async ({ outcome, conditions, conditions_closed_by_bdt }) => {
      if (!isConfirmed(formData)) return fail(form.intent, { key: "errors.confirmationRequired" });
      // "Approve with conditions": each row is its own condition, with a due date (issue 15).
      const rows = parseConditionRows(formData);
      if (outcome === "approve_with_conditions") {
        if (Object.keys(rows.errors).length > 0) return fail(form.intent, { key: "errors.formHasErrors" }, rows.errors);
        if (rows.rows.length === 0)
          return fail(
            form.intent,
            { key: "errors.formHasErrors" },
            { condition_text_0: { key: "board.conditionsRequired" } },
          );
      }
      return done(
        await recordDecision(supabase, packetId, outcome, conditions, rows.rows, conditions_closed_by_bdt === "yes"),
        "decided",
      );
    },
  });
}

export default function BoardPacket() {
  const { packet, reference, isChair } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const commentBox = useRef<HTMLTextAreaElement>(null);
  const errors = result?.errors ?? ({} as FieldErrors);
  const values = result?.values;
  const errorsFor = (intent: string) => (result?.intent === intent ? errors : ({} as FieldErrors));
  const valuesFor = (intent: string) => (result?.intent === intent ? values : undefined);
  const busy = navigation.state === "submitting";
  const open = packet.open;
  const done = notices.find((notice) => notice === searchParams.get("done"));
  const content = packet.content;
  const heading = packet.heading;
  // Past the call's cap the Board may only approve, approve with conditions or reject (the database says so too).
  const capReached = content?.revision ? content.revision.cycle >= content.revision.cap : false;
  const choices = voteChoices.filter((choice) => !(capReached && choice === "request_changes"));
  return (
    <div className="page page--wide">
      <p>
        <Link to={`/board/reviews/${packet.review.id}`}>{t("board.backToReview", { title: packet.review.title })}</Link>
      </p>
      <h1>{heading?.centre_name || t("eois.untitled")}</h1>
      <p>
        {heading ? `${heading.host_institution} (${heading.country_code})` : null} · {packet.review.title}{" "}
        <StatusBadge status={`review_${packet.review.status}`} />
        {content?.revision ? (
          <>
            {" "}
            <RevisionCycle cycle={content.revision.cycle} cap={content.revision.cap} />
          </>
        ) : null}
      </p>
      {capReached ? <p className="alert alert--info">{t("revision.capReachedBoard")}</p> : null}
      {done && !result ? (
        <FormNotice title={t(`board.done.${done}Title`)}>{t(`board.done.${done}Body`)}</FormNotice>
      ) : null}
      <FormAlert error={result?.formError} />

      {!packet.declaration ? (
        <section aria-labelledby="declare-title" className="panel panel--highlight">
          <h2 id="declare-title">{t("board.declareTitle")}</h2>
          <p>{t("board.declareIntro")}</p>
          {open ? (
            <Form method="post" noValidate className="form">
              <input type="hidden" name="intent" value="declare" />
              <ChoiceGroup
                type="radio"
                name="has_conflict"
                label={t("board.declareQuestion")}
                error={errorsFor("declare").has_conflict}
                selected={[valuesFor("declare")?.has_conflict ?? ""]}
                options={[
                  { value: "no", label: t("board.declareNo") },
                  { value: "yes", label: t("board.declareYes") },
                ]}
              />
              <TextArea
                name="reason"
                label={t("board.conflictReason")}
                hint={t("board.conflictReasonHint")}
                rows={3}
                defaultValue={valuesFor("declare")?.reason}
                error={errorsFor("declare").reason}
              />
              <button type="submit" className="button" disabled={busy}>
                {t("board.declare")}
              </button>
            </Form>
          ) : (
            <p>{t("board.closedUndeclared")}</p>
          )}
        </section>
      ) : null}

      {packet.declaration?.has_conflict ? (
        <section aria-labelledby="conflicted-title" className="panel panel--highlight">
          <h2 id="conflicted-title">{t("board.conflictedTitle")}</h2>
          <p>{t("board.conflictedBody")}</p>
          <p className="muted">
            {t("board.declaredOn")} <LocalTime iso={packet.declaration.declared_at} />
          </p>
        </section>
      ) : null}

      {content?.decision ? (
        <section aria-labelledby="decision-title" className="panel panel--highlight">
          <h2 id="decision-title">{t("board.decisionTitle")}</h2>
          <p>
            <StatusBadge status={content.decision.outcome} /> <LocalTime iso={content.decision.recorded_at} />
          </p>
          <p>
            {t("board.decisionTally", {
              counted: content.decision.votes_counted,
              required: content.decision.quorum_required,
            })}
          </p>
          {content.decision.conditions ? (
            <>
              <h3>{t("board.conditions")}</h3>
              <p className="prewrap">{content.decision.conditions}</p>
            </>
          ) : null}
        </section>
      ) : null}

      {content ? (
        <>
          <div className="side-by-side">
            <section aria-labelledby="application-title">
              <h2 id="application-title">{t("board.applicationTitle")}</h2>
              {content.application ? (
                <>
                  <CentreProfile application={content.application} eoi={null} reference={reference} />
                  <ApplicationAnswers application={content.answers ?? content.application} />
                  <h3>{t("board.bdtRecommendation")}</h3>
                  {content.recommendation?.bdt_recommended_outcome ? (
                    <p>
                      <strong>{t("applications.recommendedOutcome")}:</strong>{" "}
                      {t(`board.choices.${content.recommendation.bdt_recommended_outcome}`)}
                    </p>
                  ) : null}
                  <p className="prewrap">{content.recommendation?.bdt_recommendation}</p>
                  <h3 id="application-attachments-title">{t("board.applicationAttachments")}</h3>
                  <AttachmentList files={content.application.attachments} />
                </>
              ) : null}
              {content.application?.eoi ? (
                <section aria-labelledby="eoi-title">
                  <h2 id="eoi-title">{t("board.eoiTitle")}</h2>
                  <p className="muted">{t("board.eoiHelp")}</p>
                  <EoiSummary
                    eoi={{
                      ...content.application.eoi,
                      organisation: heading
                        ? { name: heading.host_institution, country_code: heading.country_code }
                        : null,
                    }}
                    reference={reference}
                  />
                </section>
              ) : null}
            </section>
            <section aria-labelledby="plan-title">
              <h2 id="plan-title">{t("board.planTitle")}</h2>
              {content.version ? (
                <>
                  <PlanVersionFacts planId={content.version.plan_id} version={content.version} />
                  <p>
                    <Link to={`/plans/${content.version.plan_id}`}>
                      {open && packet.review.allow_plan_editing ? t("board.openPlanEdit") : t("board.openPlanComment")}
                    </Link>
                  </p>
                  <PlanDocument content={content.version.content as unknown as PlanNode} />
                </>
              ) : null}
            </section>
          </div>

          {content.amendment ? (
            <section aria-labelledby="amendment-title" className="panel panel--highlight">
              <h2 id="amendment-title">{t("amendments.title")}</h2>
              <p className="prewrap">{content.amendment.reason}</p>
              {content.amendment.major_reasons.length > 0 ? (
                <p>
                  <strong>{t("amendments.major")}</strong>{" "}
                  {content.amendment.major_reasons.map((item) => t(`amendments.majorReasons.${item}`)).join(", ")}
                </p>
              ) : null}
              <h3>{t("amendments.diffTitle")}</h3>
              <p className="muted">{t("amendments.diffHelp", { count: content.amendment.changed })}</p>
              <PlanDiff blocks={content.amendment.diff} />
            </section>
          ) : null}
          {content.changes ? (
            <section aria-labelledby="changes-title" className="panel">
              <h2 id="changes-title">{t("revision.changesTitle")}</h2>
              <p>{t("revision.changesIntro")}</p>
              {content.changes.reasons ? (
                <>
                  <h3>{t("revision.boardReasons")}</h3>
                  <p className="prewrap">{content.changes.reasons}</p>
                </>
              ) : null}
              <h3 id="answers-compare-title">{t("revision.answersTitle")}</h3>
              <table className="table table--compact answers-compare" aria-labelledby="answers-compare-title">
                <thead>
                  <tr>
                    <th scope="col">{t("revision.question")}</th>
                    <th scope="col">{t("revision.before")}</th>
                    <th scope="col">{t("revision.now")}</th>
                  </tr>
                </thead>
                <tbody>
                  {content.changes.answers.map((row) => (
                    <tr key={row.field} className={row.changed ? "answers-compare__changed" : undefined}>
                      <th scope="row">
                        {t(`applications.fields.${row.field}`)}
                        <br />
                        <span className="muted">{row.changed ? t("revision.changed") : t("revision.unchanged")}</span>
                      </th>
                      <td>{row.before || t("eoiSummary.notGiven")}</td>
                      <td>{row.now || t("eoiSummary.notGiven")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {content.changes.plan && content.version ? (
                <>
                  <h3>{t("revision.planTitle")}</h3>
                  <p>
                    {t("revision.planIntro")}{" "}
                    {t("plan.changedBlocks", {
                      count: content.changes.plan.blocks.filter((block) => block.kind !== "same").length,
                    })}
                  </p>
                  <PlanDiff blocks={content.changes.plan.blocks} />
                  <p>
                    <Link
                      to={`/plans/${content.version.plan_id}/compare?from=${content.changes.fromVersion}&to=${content.version.id}`}
                    >
                      {t("revision.openComparison")}
                    </Link>
                  </p>
                </>
              ) : null}
            </section>
          ) : null}

          <div className="stack">
            <section aria-labelledby="votes-title" className="panel">
              <h2 id="votes-title">{t("board.votesTitle")}</h2>
              {content.quorum ? (
                <p className="progress">
                  <span id="quorum-label">
                    {t("board.quorumProgress", {
                      counted: content.quorum.votes_counted,
                      required: content.quorum.quorum_required,
                    })}
                  </span>
                  <progress
                    aria-labelledby="quorum-label"
                    value={Math.min(content.quorum.votes_counted, content.quorum.quorum_required)}
                    max={content.quorum.quorum_required}
                  />
                </p>
              ) : null}
              {content.myVote ? (
                <p>
                  <strong>{t("board.yourVote")}</strong> {t(`board.choices.${content.myVote.choice}`)}{" "}
                  <span className="muted">
                    (<LocalTime iso={content.myVote.updated_at} />)
                  </span>
                  <br />
                  <span className="prewrap">{content.myVote.reason}</span>
                </p>
              ) : null}
              {open ? (
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="vote" />
                  <ChoiceGroup
                    type="radio"
                    name="choice"
                    label={content.myVote ? t("board.changeVote") : t("board.castVote")}
                    error={errorsFor("vote").choice}
                    selected={[valuesFor("vote")?.choice ?? content.myVote?.choice ?? ""]}
                    options={choices.map((choice) => ({ value: choice, label: t(`board.choices.${choice}`) }))}
                  />
                  <TextArea
                    name="reason"
                    label={t("board.voteReason")}
                    rows={3}
                    defaultValue={valuesFor("vote")?.reason ?? content.myVote?.reason}
                    error={errorsFor("vote").reason}
                  />
                  <button type="submit" className="button" disabled={busy}>
                    {content.myVote ? t("board.changeVoteSubmit") : t("board.castVoteSubmit")}
                  </button>
                </Form>
              ) : (
                <p>{t("board.votingClosed")}</p>
              )}
              <h3>{t("board.otherVotes")}</h3>
              {!content.myVote && packet.review.status === "open" ? (
                <p className="muted">{t("board.votesHidden")}</p>
              ) : content.otherVotes.length === 0 ? (
                <p className="muted">{t("board.noOtherVotes")}</p>
              ) : (
                <ul className="votes">
                  {content.otherVotes.map((vote) => (
                    <li key={vote.member_id}>
                      <strong>{vote.name}</strong>: {t(`board.choices.${vote.choice}`)}
                      <br />
                      <span className="prewrap">{vote.reason}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>

            <section aria-labelledby="discussion-title" className="panel">
              <h2 id="discussion-title">{t("board.discussionTitle")}</h2>
              {content.comments.length === 0 ? (
                <p className="muted">{t("board.noComments")}</p>
              ) : (
                <ol className="discussion">
                  {content.comments.map((comment) => (
                    <li key={comment.id}>
                      <p>
                        <strong>{comment.author}</strong>{" "}
                        <span className="muted">
                          <LocalTime iso={comment.created_at} />
                        </span>
                      </p>
                      <p className="prewrap">{comment.body}</p>
                    </li>
                  ))}
                </ol>
              )}
              {open ? (
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="comment" />
                  <TextArea
                    name="body"
                    label={t("board.addComment")}
                    rows={3}
                    defaultValue={valuesFor("comment")?.body}
                    error={errorsFor("comment").body}
                    textareaRef={commentBox}
                  />
                  <MentionPicker box={commentBox} names={content.mentionable} />
                  <MentionHint names={content.mentionable} />
                  <button type="submit" className="button button--secondary" disabled={busy}>
                    {t("board.postComment")}
                  </button>
                </Form>
              ) : (
                <p className="muted">{t("board.discussionClosed")}</p>
              )}
            </section>

            {isChair &&
            !content.decision &&
            (content.amendment ? content.amendment.status : content.application?.status) === "board_review" ? (
              <section aria-labelledby="decide-title" className="panel">
                <h2 id="decide-title">{t("board.decideTitle")}</h2>
                <p>{t("board.decideHelp")}</p>
                <Form method="post" noValidate className="form form--compact">
                  <input type="hidden" name="intent" value="decide" />
                  <ChoiceGroup
                    type="radio"
                    name="outcome"
                    label={t("board.outcome")}
                    error={errorsFor("decide").outcome}
                    selected={[valuesFor("decide")?.outcome ?? ""]}
                    options={choices.map((choice) => ({ value: choice, label: t(`board.choices.${choice}`) }))}
                  />
                  <ConditionRows errors={errorsFor("decide")} values={valuesFor("decide")} />
                  <TextArea
                    name="conditions"
                    label={t("board.conditions")}
                    hint={t("revision.conditionsOrReasonsHint")}
                    rows={4}
                    defaultValue={valuesFor("decide")?.conditions}
                    error={errorsFor("decide").conditions}
                  />
                  <ConfirmSubmit
                    className="button"
                    disabled={busy}
                    label={t("board.recordDecision")}
                    title={t("board.confirmDecisionTitle")}
                    confirmLabel={t("board.recordDecision")}
                    summary={(form) => {
                      const outcome = form.get("outcome");
                      return typeof outcome === "string" && outcome ? (
                        <p>
                          <strong>{t("board.outcome")}:</strong> {t(`board.choices.${outcome}`)}
                        </p>
                      ) : null;
                    }}
                  >
                    <p>{t("board.confirmDecisionBody")}</p>
                  </ConfirmSubmit>
                </Form>
              </section>
            ) : null}
          </div>
        </>
      ) : null}

      {isChair ? (
        <section aria-labelledby="declarations-title" className="panel">
          <h2 id="declarations-title">{t("board.declarationsTitle")}</h2>
          {packet.declarations.length === 0 ? (
            <p className="muted">{t("board.noDeclarations")}</p>
          ) : (
            <ul className="declarations">
              {packet.declarations.map((row) => (
                <li key={row.member_id}>
                  <strong>{row.name}</strong>:{" "}
                  {row.has_conflict ? t("board.declaredConflict") : t("board.declaredNone")}
                  {row.has_conflict && row.reason ? (
                    <>
                      <br />
                      <span className="prewrap">{row.reason}</span>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          {packet.undeclared.length > 0 ? (
            <p>{t("board.undeclared", { names: packet.undeclared.join(", ") })}</p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
