import { Link } from "@remix-run/react";
import { Fragment } from "react";
import { useTranslation } from "react-i18next";
import { LocalTime } from "~/components/fields";
import { versionLabel } from "~/lib/plan-versions";
import type { ReferenceData } from "~/models/reference.server";
import { applicationFields, type ApplicationField } from "~/validation/applications";

type Answers = Record<ApplicationField, string | null>;

/** The applicant's answers, read-only (application page once submitted, Board packet). */
export function ApplicationAnswers({ application }: { application: Answers }) {
  const { t } = useTranslation();
  return (
    <dl className="summary">
      {applicationFields.map((field) => (
        <Fragment key={field}>
          <dt>{t(`applications.fields.${field}`)}</dt>
          <dd>
            {application[field] ? (
              <p className="prewrap">{application[field]}</p>
            ) : (
              <span className="muted">{t("eoiSummary.notGiven")}</span>
            )}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

interface ProfileFacts {
  centre_type: string | null;
  scope: string | null;
  capabilities: string[];
}

interface EoiProposal {
  proposed_centre_type: string | null;
  proposed_scope: string | null;
  capabilities: string[];
  validation: {
    recommended_centre_type: string | null;
    recommended_scope: string | null;
    recommended_capabilities: string[];
  } | null;
}

/**
 * The centre's type, scope and capabilities: BDT's recommendation (what the application carries) beside what the
 * Expression of Interest proposed, when the reader may see the EoI.
 */
export function CentreProfile({
  application,
  eoi,
  reference,
  applicantView,
}: {
  application: ProfileFacts;
  eoi: EoiProposal | null;
  reference: Pick<ReferenceData, "centreTypes" | "capabilities">;
  applicantView?: boolean;
}) {
  const { t } = useTranslation();
  const typeLabel = (code: string | null) =>
    reference.centreTypes.find((type) => type.code === code)?.label ?? code ?? t("eoiSummary.notGiven");
  const scopeLabel = (scope: string | null) => (scope ? t(`scopes.${scope}`) : t("eoiSummary.notGiven"));
  const capabilityLabels = (codes: string[]) =>
    codes.length
      ? codes.map((code) => reference.capabilities.find((item) => item.code === code)?.label ?? code).join(", ")
      : t("eoiSummary.notGiven");
  const recommended = eoi?.validation;
  const rows = [
    {
      label: t("applications.centreType"),
      recommended: typeLabel(recommended?.recommended_centre_type ?? application.centre_type),
      proposed: typeLabel(eoi?.proposed_centre_type ?? null),
    },
    {
      label: t("applications.scope"),
      recommended: scopeLabel(recommended?.recommended_scope ?? application.scope),
      proposed: scopeLabel(eoi?.proposed_scope ?? null),
    },
    {
      label: t("applications.capabilities"),
      recommended: capabilityLabels(
        recommended && recommended.recommended_capabilities.length
          ? recommended.recommended_capabilities
          : application.capabilities,
      ),
      proposed: capabilityLabels(eoi?.capabilities ?? []),
    },
  ];
  if (!eoi) {
    return (
      <dl className="facts">
        {rows.map((row) => (
          <Fragment key={row.label}>
            <dt>{row.label}</dt>
            <dd>{row.recommended}</dd>
          </Fragment>
        ))}
      </dl>
    );
  }
  return (
    <table className="table table--compact">
      <caption className="visually-hidden">{t("applications.profileTitle")}</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">{t("applications.aspect")}</span>
          </th>
          <th scope="col">{t("applications.bdtRecommends")}</th>
          <th scope="col">{applicantView ? t("applications.youProposed") : t("applications.applicantProposed")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>{row.recommended}</td>
            <td>{row.proposed}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Where an application stands in revise-and-resubmit (issue 15): its first submission, or revision cycle n of the
 * call's cap (the cap is left out where the reader does not know it).
 */
export function RevisionCycle({ cycle, cap }: { cycle: number; cap?: number | null }) {
  const { t } = useTranslation();
  const text =
    cycle === 0
      ? t("revision.first")
      : cap === undefined || cap === null
        ? t("revision.cycle", { cycle })
        : t("revision.cycleOf", { cycle, cap });
  return (
    <span className="status" data-revision-cycle={cycle}>
      {text}
    </span>
  );
}

/** A plan version's name, time and SHA-256 hash, with a link to the version's page in the plan's history. */
export function PlanVersionFacts({
  planId,
  version,
}: {
  planId: string;
  /** The version sent to the Board (its kind defaults to that: both callers show the version a packet carries). */
  version: { id: string; name: string; kind?: string; content_hash: string; created_at: string };
}) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      <dt>{t("applications.versionName")}</dt>
      <dd>
        <Link to={`/plans/${planId}/versions/${version.id}`}>
          {versionLabel(t, { name: version.name, kind: version.kind ?? "sent_to_board" })}
        </Link>
      </dd>
      <dt>{t("applications.versionDate")}</dt>
      <dd>
        <LocalTime iso={version.created_at} />
      </dd>
      <dt>{t("applications.versionHash")}</dt>
      <dd>
        <code className="hash">{version.content_hash}</code>
      </dd>
    </dl>
  );
}
