import { useTranslation } from "react-i18next";
import type { Participant } from "./plan-editor";
import type { PlanConnectionStatus } from "./use-plan-connection";

/** Connection state, whether everything is stored, and who is here. */
export function PlanStatusBar({
  status,
  participants,
  selfId,
  onJump,
}: {
  status: PlanConnectionStatus;
  participants: Participant[];
  /** This tab's own awareness id: its own name is not a link (issue 18). */
  selfId?: number;
  /** Jumps to someone's caret (issue 18). */
  onJump?: (clientId: number) => void;
}) {
  const { t } = useTranslation();
  const saved =
    status.state === "connected" && status.synced
      ? status.saved
        ? t("plan.saved")
        : t("plan.saving")
      : status.saved
        ? null
        : t("plan.unsavedOffline");
  // Issue 18: changes kept on the device while offline are counted; "All changes saved" waits for the server.
  const offlineKept = status.state === "offline" && status.pending > 0;
  return (
    <div className="plan-status" data-state={status.state} data-saved={status.saved ? "true" : "false"}>
      <p role="status" aria-live="polite" className="plan-status__connection">
        <span className={`connection-dot connection-dot--${status.state}`} aria-hidden="true" />
        {offlineKept ? (
          <span className="plan-status__kept">{t("planDevice.offlineKept", { count: status.pending })}</span>
        ) : (
          t(`plan.connection.${status.state}`)
        )}
        {saved && !offlineKept ? (
          <>
            {" "}
            · <span className="plan-status__saved">{saved}</span>
          </>
        ) : null}
      </p>
      <div className="plan-status__people">
        <h2 className="visually-hidden" id="people-here">
          {t("plan.peopleHere")}
        </h2>
        <ul aria-labelledby="people-here" className="presence">
          {participants.map((person) => (
            <li key={person.clientId} className="presence__person">
              <span className="presence__dot" style={{ backgroundColor: person.colour }} aria-hidden="true" />
              {onJump && person.clientId !== selfId ? (
                <button
                  type="button"
                  className="presence__jump"
                  aria-label={t("planOutline.goToCaret", { name: person.name })}
                  onClick={() => onJump(person.clientId)}
                >
                  {person.name}
                </button>
              ) : (
                person.name
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
