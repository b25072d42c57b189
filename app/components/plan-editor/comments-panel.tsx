import { useFetcher } from "@remix-run/react";
import { MentionHint, MentionPicker } from "~/components/mention-hint";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { LocalTime } from "~/components/fields";
import type { FieldError } from "~/lib/forms";
import type { PlanCommentView } from "~/models/plans.server";
import type { SelectionForComment } from "./plan-editor";

interface ActionResult {
  ok?: boolean;
  formError?: FieldError | null;
  errors?: Record<string, FieldError>;
  values?: Record<string, string>;
}

function CommentForm({
  intent,
  label,
  submitLabel,
  hidden,
  onDone,
  mentionable = [],
}: {
  intent: string;
  label: string;
  submitLabel: string;
  hidden: Record<string, string>;
  onDone?: () => void;
  mentionable?: string[];
}) {
  const { t } = useTranslation();
  const fetcher = useFetcher<ActionResult>();
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const error = fetcher.data?.errors?.body ?? fetcher.data?.formError ?? null;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      form.current?.reset();
      onDone?.();
    }
  }, [fetcher.state, fetcher.data, onDone]);
  return (
    <fetcher.Form method="post" ref={form} className="comment-form">
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label htmlFor={`${id}-body`}>{label}</label>
      <textarea
        ref={box}
        id={`${id}-body`}
        name="body"
        rows={3}
        maxLength={10000}
        defaultValue={fetcher.data?.values?.body ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <MentionPicker box={box} names={mentionable} />
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {t(error.key, error.values)}
        </p>
      ) : null}
      <button type="submit" className="button button--small" disabled={fetcher.state !== "idle"}>
        {submitLabel}
      </button>
    </fetcher.Form>
  );
}

function ResolveButton({ thread }: { thread: PlanCommentView }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<ActionResult>();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value={thread.resolvedAt ? "reopen" : "resolve"} />
      <input type="hidden" name="comment" value={thread.id} />
      <button type="submit" className="button button--secondary button--small" disabled={fetcher.state !== "idle"}>
        {thread.resolvedAt ? t("plan.reopen") : t("plan.resolve")}
      </button>
    </fetcher.Form>
  );
}

/**
 * Removes a comment after an explicit confirmation in place (removing is for everyone and cannot be undone from the
 * page); a thread goes with its replies.
 */
function RemoveButton({ comment, isThread }: { comment: PlanCommentView; isThread: boolean }) {
  const { t } = useTranslation();
  const fetcher = useFetcher<ActionResult>();
  const [confirming, setConfirming] = useState(false);
  const id = useId();
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  if (!confirming) {
    return (
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={() => setConfirming(true)}
        aria-label={isThread ? t("plan.removeThreadLabel") : t("plan.removeCommentLabel")}
      >
        {t("plan.remove")}
      </button>
    );
  }
  return (
    <fetcher.Form method="post" className="confirm-remove" aria-labelledby={`${id}-question`}>
      <input type="hidden" name="intent" value="remove" />
      <input type="hidden" name="comment" value={comment.id} />
      <p id={`${id}-question`}>{isThread ? t("plan.removeThreadConfirm") : t("plan.removeCommentConfirm")}</p>
      {error ? (
        <p className="field__error" role="alert">
          {t(error.key, { ...error.values, defaultValue: t("dbErrors.unexpected") })}
        </p>
      ) : null}
      <button type="submit" className="button button--danger button--small" disabled={fetcher.state !== "idle"}>
        {t("plan.confirmRemove")}
      </button>
      <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(false)}>
        {t("plan.keepComment")}
      </button>
    </fetcher.Form>
  );
}

/** Threads beside the plan: start one on a selection, reply, resolve, reopen and remove. */
export function CommentsPanel({
  threads,
  canComment,
  pending,
  onPendingDone,
  mentionable = [],
  onShowPassage,
}: {
  threads: PlanCommentView[];
  /** From a comment back to its passage in the plan (issue 18). */
  onShowPassage?: (thread: number) => void;
  canComment: boolean;
  mentionable?: string[];
  pending: SelectionForComment | null;
  onPendingDone: () => void;
}) {
  const { t } = useTranslation();
  const open = threads.filter((thread) => !thread.resolvedAt);
  const resolved = threads.filter((thread) => thread.resolvedAt);
  const renderThread = (thread: PlanCommentView) => (
    <li key={thread.id} className={thread.resolvedAt ? "thread thread--resolved" : "thread"} data-thread={thread.id}>
      {thread.quote ? <blockquote className="thread__quote">{thread.quote}</blockquote> : null}
      {onShowPassage && thread.anchor && !thread.resolvedAt ? (
        <button type="button" className="link-button thread__passage" onClick={() => onShowPassage(thread.id)}>
          {t("planOutline.showPassage")}
        </button>
      ) : null}
      <ol className="thread__comments">
        {[thread, ...thread.replies].map((comment) => (
          <li key={comment.id}>
            <p className="thread__meta">
              <strong>{comment.author ?? t("plan.someone")}</strong> · <LocalTime iso={comment.createdAt} />
            </p>
            <p className="thread__body">{comment.body}</p>
            {comment.canRemove ? <RemoveButton comment={comment} isThread={comment.id === thread.id} /> : null}
          </li>
        ))}
      </ol>
      {thread.resolvedAt ? (
        <p className="thread__meta">{t("plan.resolvedBy", { name: thread.resolvedBy ?? t("plan.someone") })}</p>
      ) : null}
      {canComment ? (
        <div className="thread__actions">
          {!thread.resolvedAt ? (
            <CommentForm
              intent="reply"
              label={t("plan.reply")}
              submitLabel={t("plan.sendReply")}
              hidden={{ parent: String(thread.id) }}
              mentionable={mentionable}
            />
          ) : null}
          <ResolveButton thread={thread} />
        </div>
      ) : null}
    </li>
  );
  return (
    <section className="comments-panel" aria-labelledby="comments-title">
      <h2 id="comments-title">{t("plan.comments")}</h2>
      {canComment ? <MentionHint names={mentionable} /> : null}
      {canComment ? (
        pending ? (
          <div className="panel">
            <p>{t("plan.commentingOn")}</p>
            <blockquote className="thread__quote">{pending.quote}</blockquote>
            <CommentForm
              intent="comment"
              label={t("plan.newComment")}
              submitLabel={t("plan.startThread")}
              hidden={{ anchor: JSON.stringify(pending.anchor), quote: pending.quote }}
              onDone={onPendingDone}
              mentionable={mentionable}
            />
            <button type="button" className="button button--secondary button--small" onClick={onPendingDone}>
              {t("plan.cancel")}
            </button>
          </div>
        ) : (
          <p className="hint">{t("plan.commentHint")}</p>
        )
      ) : null}
      {open.length === 0 ? <p>{t("plan.noComments")}</p> : <ul className="threads">{open.map(renderThread)}</ul>}
      {resolved.length > 0 ? (
        <details>
          <summary>{t("plan.resolvedThreads", { count: resolved.length })}</summary>
          <ul className="threads">{resolved.map(renderThread)}</ul>
        </details>
      ) : null}
    </section>
  );
}
