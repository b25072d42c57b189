import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, StatusBadge, TimeLeft, TableScroll } from "~/components/fields";
import { homeLinks } from "~/lib/home-links";
import type { HomeTodo } from "~/models/home.server";

/**
 * The home page's to-do list (issue 17): one part per role, each naming what waits for the person, with links that
 * land on it. Counts link to the filtered list that holds exactly those items.
 */
type Part<K extends keyof HomeTodo> = NonNullable<HomeTodo[K]>;

function Deadline({ iso }: { iso: string }) {
  const { t } = useTranslation();
  return (
    <span className="todo__when">
      {t("home.todo.deadline")} <LocalTime iso={iso} /> · <TimeLeft until={iso} />
    </span>
  );
}

function Age({ days, target }: { days: number; target: number }) {
  const { t } = useTranslation();
  return (
    <span className={days > target ? "todo__age todo__age--over" : "todo__age"}>
      {t("home.todo.age", { days, target })}
    </span>
  );
}

function CountLink({ to, label, count, testId }: { to: string; label: string; count: number; testId: string }) {
  return (
    <p className="todo__count">
      <Link to={to} data-testid={testId}>
        {label}: <strong>{count}</strong>
      </Link>
    </p>
  );
}

function ApplicantPart({ part }: { part: Part<"applicant"> }) {
  const { t } = useTranslation();
  const nothing =
    !part.register &&
    part.startEoi.length === 0 &&
    part.drafts.length === 0 &&
    part.clarifications.length === 0 &&
    part.applications.length === 0;
  return (
    <>
      {part.register ? (
        <div className="todo__next">
          <h3>{t("home.todo.nextStep")}</h3>
          <p>{t("home.todo.registerHelp")}</p>
          <p>
            <Link to="/organisations/new" className="button">
              {t("home.todo.register")}
            </Link>
          </p>
        </div>
      ) : null}
      {part.clarifications.length > 0 ? (
        <>
          <h3>{t("home.todo.clarifications")}</h3>
          <ul className="todo" data-testid="todo-clarifications">
            {part.clarifications.map((item) => (
              <li key={item.id}>
                <Link to={`/eois/${item.id}`}>{item.name || t("eois.untitled")}</Link>
                {item.askedAt ? (
                  <span className="todo__when">
                    {t("home.todo.askedOn")} <LocalTime iso={item.askedAt} />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {part.applications.length > 0 ? (
        <>
          <h3>{t("home.todo.applications")}</h3>
          <ul className="todo" data-testid="todo-applications">
            {part.applications.map((item) => (
              <li key={item.id}>
                <Link to={`/applications/${item.id}`}>{item.centre_name || t("eois.untitled")}</Link>{" "}
                <StatusBadge status={item.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {part.drafts.length > 0 ? (
        <>
          <h3>{t("home.todo.drafts")}</h3>
          <ul className="todo" data-testid="todo-drafts">
            {part.drafts.map((item) => (
              <li key={item.id}>
                <Link to={`/eois/${item.id}`}>{item.name || t("eois.untitled")}</Link>
                <span>
                  {item.callTitle} · {t("home.todo.completeness", { filled: item.filled, required: item.required })}{" "}
                  <progress max={item.required} value={item.filled} aria-hidden="true" />
                </span>
                <Deadline iso={item.deadline} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {part.startEoi.length > 0 ? (
        <>
          <h3>{t("home.todo.openCalls")}</h3>
          <ul className="todo" data-testid="todo-start">
            {part.startEoi.map((item) => (
              <li key={`${item.callId}-${item.organisation}`}>
                <Link to={`/calls/${item.callId}`}>
                  {t("home.todo.startEoi", { call: item.callTitle, organisation: item.organisation })}
                </Link>
                <Deadline iso={item.deadline} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {nothing ? <p className="panel__empty">{t("home.todo.applicantNothing")}</p> : null}
      <p>
        <Link to="/eois">{t("home.todo.allEois")}</Link> · <Link to="/calls">{t("home.todo.allCalls")}</Link>
      </p>
    </>
  );
}

function ReviewerPart({ part }: { part: Part<"reviewer"> }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{t("home.todo.assignedEois")}</h3>
      <CountLink to={homeLinks.mine} label={t("home.todo.awaitingYou")} count={part.eoiCount} testId="count-mine" />
      {part.eois.length > 0 ? (
        <ol className="todo" data-testid="todo-assigned">
          {part.eois.map((item) => (
            <li key={item.id}>
              <Link to={`/review/${item.id}`}>{item.name || t("eois.untitled")}</Link>
              <span>
                {item.institution} <StatusBadge status={item.status} />
              </span>
              <Age days={item.ageDays} target={part.targetDays} />
            </li>
          ))}
        </ol>
      ) : (
        <p className="panel__empty">{t("home.todo.noAssigned")}</p>
      )}
      <h3>{t("home.todo.yourApplications")}</h3>
      <CountLink
        to={homeLinks.myApplications}
        label={t("home.todo.inYourReview")}
        count={part.applicationCount}
        testId="count-my-applications"
      />
      {part.applications.length > 0 ? (
        <ol className="todo" data-testid="todo-my-applications">
          {part.applications.map((item) => (
            <li key={item.id}>
              <Link to={`/applications/${item.id}`}>{item.name || t("eois.untitled")}</Link>
              <Age days={item.ageDays} target={part.targetDays} />
            </li>
          ))}
        </ol>
      ) : null}
      <CountLink
        to={homeLinks.submittedApplications}
        label={t("home.todo.submittedApplications")}
        count={part.submittedApplications}
        testId="count-submitted-applications"
      />
    </>
  );
}

function CoordinatorPart({ part }: { part: Part<"coordinator"> }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{t("home.todo.unassigned")}</h3>
      <CountLink
        to={homeLinks.unassigned}
        label={t("home.todo.unassignedCount")}
        count={part.unassignedCount}
        testId="count-unassigned"
      />
      {part.unassigned.length > 0 ? (
        <ol className="todo" data-testid="todo-unassigned">
          {part.unassigned.map((item) => (
            <li key={item.id}>
              <Link to={`/review/${item.id}`}>{item.name || t("eois.untitled")}</Link>
              <span>{item.institution}</span>
              <Age days={item.ageDays} target={part.targetDays} />
            </li>
          ))}
        </ol>
      ) : null}
      <CountLink
        to={homeLinks.overdue}
        label={t("home.todo.overdue", { days: part.targetDays })}
        count={part.overdueCount}
        testId="count-overdue"
      />
      <h3>{t("home.todo.closingSoon", { days: part.closingSoonDays })}</h3>
      {part.closingSoon.length > 0 ? (
        <ul className="todo" data-testid="todo-closing">
          {part.closingSoon.map((call) => (
            <li key={call.id}>
              <Link to={`/calls/${call.id}`}>{call.title}</Link>
              <Deadline iso={call.closes_at} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="panel__empty">{t("home.todo.noneClosing", { days: part.closingSoonDays })}</p>
      )}
      <p>
        <Link to={homeLinks.calls}>{t("home.todo.allCalls")}</Link>
      </p>
      <h3 id="reviewer-load">{t("home.todo.load")}</h3>
      {part.load.length > 0 ? (
        <TableScroll label={t("home.todo.load")}>
          <table className="table" aria-labelledby="reviewer-load">
            <thead>
              <tr>
                <th scope="col">{t("home.todo.reviewer")}</th>
                <th scope="col">{t("home.todo.awaitingThem")}</th>
              </tr>
            </thead>
            <tbody>
              {part.load.map((reviewer) => (
                <tr key={reviewer.id}>
                  <td>{reviewer.name}</td>
                  <td>
                    <Link to={homeLinks.reviewer(reviewer.id)}>{reviewer.count}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p className="panel__empty">{t("home.todo.noReviewers")}</p>
      )}
    </>
  );
}

function BoardMemberPart({ part }: { part: Part<"board_member"> }) {
  const { t } = useTranslation();
  return part.packets.length > 0 ? (
    <ul className="todo" data-testid="todo-board">
      {part.packets.map((packet) => (
        <li key={packet.id}>
          <Link to={`/board/packets/${packet.id}`}>
            {packet.centre} ({packet.institution})
          </Link>
          <span>
            {packet.reviewTitle} · <strong>{t(`home.todo.boardAction.${packet.action}`)}</strong>
          </span>
          <span className="todo__when">
            {t("home.todo.closes")} <LocalTime iso={packet.closesAt} /> · <TimeLeft until={packet.closesAt} />
          </span>
        </li>
      ))}
    </ul>
  ) : (
    <p className="panel__empty">{t("home.todo.boardNothing")}</p>
  );
}

function ChairPart({ part }: { part: Part<"board_chair"> }) {
  const { t } = useTranslation();
  const ready = part.packets.filter((packet) => packet.ready);
  return (
    <>
      <p className="todo__count" data-testid="count-ready">
        {t("home.todo.readyCount")}: <strong>{ready.length}</strong>
      </p>
      {part.packets.length > 0 ? (
        <ul className="todo" data-testid="todo-chair">
          {part.packets.map((packet) => (
            <li key={packet.id}>
              <Link to={`/board/packets/${packet.id}`}>
                {packet.centre} ({packet.institution})
              </Link>
              <span>
                {packet.reviewTitle} ·{" "}
                {packet.quorum
                  ? t("home.todo.quorum", { votes: packet.quorum.votes, required: packet.quorum.required })
                  : t("home.todo.quorumHidden")}
                {packet.ready ? <strong className="status status--ready"> {t("home.todo.ready")}</strong> : null}
              </span>
              <span className="todo__when">
                {t("home.todo.closes")} <LocalTime iso={packet.closesAt} />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="panel__empty">{t("home.todo.chairNothing")}</p>
      )}
      <p>
        <Link to="/board">{t("home.todo.toBoard")}</Link>
      </p>
    </>
  );
}

export function RolePart({ role, todo }: { role: keyof HomeTodo; todo: HomeTodo }) {
  switch (role) {
    case "applicant":
      return todo.applicant ? <ApplicantPart part={todo.applicant} /> : null;
    case "reviewer":
      return todo.reviewer ? <ReviewerPart part={todo.reviewer} /> : null;
    case "coordinator":
      return todo.coordinator ? <CoordinatorPart part={todo.coordinator} /> : null;
    case "board_member":
      return todo.board_member ? <BoardMemberPart part={todo.board_member} /> : null;
    case "board_chair":
      return todo.board_chair ? <ChairPart part={todo.board_chair} /> : null;
  }
}
