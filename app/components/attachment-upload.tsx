import { useRevalidator } from "@remix-run/react";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { MAX_ATTACHMENT_BYTES } from "~/lib/file-type";

/**
 * A plain multipart form that works without JavaScript; with it, the file is sent by XMLHttpRequest so the
 * person sees the upload's progress, and the list refreshes when it is stored.
 */
export function AttachmentUpload({
  action,
  serverError,
  hint,
}: {
  /** The attachments route of the record: `/eois/<id>/attachments` or `/applications/<id>/attachments`. */
  action: string;
  serverError: string | null;
  hint?: string;
}) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const inputRef = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(serverError);

  function handleSubmit(event: React.FormEvent<HTMLFormElement>) {
    const file = inputRef.current?.files?.[0];
    if (!file) return;
    event.preventDefault();
    if (file.size > MAX_ATTACHMENT_BYTES) {
      setError("file_too_large");
      return;
    }
    setError(null);
    setProgress(0);
    const request = new XMLHttpRequest();
    request.open("POST", action);
    request.setRequestHeader("accept", "application/json");
    request.upload.onprogress = (progressEvent) => {
      if (progressEvent.lengthComputable) setProgress(Math.round((progressEvent.loaded / progressEvent.total) * 100));
    };
    request.onload = () => {
      setProgress(null);
      // A refused upload is a 4xx whose JSON body names the reason; a body that is not ours still shows a message.
      let reason: string | null = null;
      try {
        reason = (JSON.parse(request.responseText || "{}") as { error?: string | null }).error ?? null;
      } catch {
        reason = null;
      }
      if (!reason && request.status >= 400) reason = request.status === 413 ? "file_too_large" : "upload_failed";
      if (reason) setError(reason);
      else if (inputRef.current) inputRef.current.value = "";
      revalidator.revalidate();
    };
    request.onerror = () => {
      setProgress(null);
      setError("upload_failed");
    };
    request.send(new FormData(event.currentTarget));
  }

  return (
    <form
      method="post"
      action={action}
      encType="multipart/form-data"
      onSubmit={handleSubmit}
      className="form form--compact"
    >
      <div className={error ? "field field--invalid" : "field"}>
        <label htmlFor="field-file">{t("attachments.choose")}</label>
        <p id="field-file-hint" className="field__hint">
          {hint ?? t("attachments.hint")}
        </p>
        <input
          ref={inputRef}
          id="field-file"
          name="file"
          type="file"
          accept="application/pdf,image/png,image/jpeg"
          aria-describedby={error ? "field-file-hint field-file-error" : "field-file-hint"}
          aria-invalid={error ? true : undefined}
        />
        {error ? (
          <p id="field-file-error" className="field__error" role="alert">
            {t(`dbErrors.${error}`)}
          </p>
        ) : null}
      </div>
      {progress !== null ? (
        <div className="progress">
          <label htmlFor="upload-progress">{t("attachments.uploading")}</label>
          <progress id="upload-progress" max={100} value={progress}>
            {progress}%
          </progress>
        </div>
      ) : null}
      <button type="submit" className="button button--secondary" disabled={progress !== null}>
        {t("attachments.upload")}
      </button>
    </form>
  );
}

/** A record's files with a link to each; with `removeAction`, a button to remove each (a plain form, no script needed). */
export function AttachmentList({
  files,
  removeAction,
}: {
  files: { id: string; file_name: string; size_bytes: number }[];
  removeAction?: string;
}) {
  const { t } = useTranslation();
  if (files.length === 0) return <p>{t("attachments.none")}</p>;
  return (
    <ul className="file-list">
      {files.map((file) => (
        <li key={file.id}>
          <a href={`/attachments/${file.id}`}>{file.file_name}</a> ({Math.ceil(file.size_bytes / 1024)} KB)
          {removeAction ? (
            <form method="post" action={removeAction} encType="multipart/form-data" className="inline-form">
              <input type="hidden" name="remove" value={file.id} />
              <button type="submit" className="button button--small button--secondary">
                {t("attachments.remove", { name: file.file_name })}
              </button>
            </form>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
