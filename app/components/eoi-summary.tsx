import { useTranslation } from "react-i18next";
import { LocalTime } from "~/components/fields";
import type { EoiDetail } from "~/models/eois.server";
import type { ReferenceData } from "~/models/reference.server";

/** What the summary reads of an EoI: every answer and its files (a Board packet has no organisation row). */
export type EoiAnswers = Pick<
  EoiDetail,
  | "contact_name"
  | "contact_email"
  | "centre_name"
  | "request_kind"
  | "proposed_centre_type"
  | "proposed_scope"
  | "capabilities"
  | "regional_initiatives"
  | "kigali_priorities"
  | "alignment"
  | "motivation"
  | "ecosystem"
  | "resources"
  | "governance"
> & {
  organisation: { name: string; country_code: string } | null;
  attachments: { id: string; file_name: string }[];
};

/** Everything an EoI says, read-only; used on the review step, the EoI page, the reviewer's page and Board packets. */
export function EoiSummary({ eoi, reference }: { eoi: EoiAnswers; reference: ReferenceData }) {
  const { t } = useTranslation();
  const label = (list: { code: string; label: string }[], code: string | null) =>
    list.find((item) => item.code === code)?.label ?? code ?? "";
  const country = reference.countries.find((item) => item.code === eoi.organisation?.country_code);
  const empty = <span className="muted">{t("eoiSummary.notGiven")}</span>;
  const text = (value: string | null) => (value ? <p className="prewrap">{value}</p> : empty);
  return (
    <dl className="summary">
      <dt>{t("eoiForm.institution")}</dt>
      <dd>
        {eoi.organisation?.name}
        {country ? ` (${country.label})` : ""}
      </dd>
      <dt>{t("eoiForm.contactName")}</dt>
      <dd>
        {eoi.contact_name || empty} {eoi.contact_email ? `<${eoi.contact_email}>` : null}
      </dd>
      <dt>{t("eoiForm.centreName")}</dt>
      <dd>{eoi.centre_name || empty}</dd>
      <dt>{t("eoiForm.requestKind")}</dt>
      <dd>{eoi.request_kind ? t(`eoiForm.${eoi.request_kind}`) : empty}</dd>
      <dt>{t("eoiForm.centreType")}</dt>
      <dd>{eoi.proposed_centre_type ? label(reference.centreTypes, eoi.proposed_centre_type) : empty}</dd>
      <dt>{t("eoiForm.scope")}</dt>
      <dd>{eoi.proposed_scope ? t(`scopes.${eoi.proposed_scope}`) : empty}</dd>
      <dt>{t("eoiForm.capabilities")}</dt>
      <dd>
        {eoi.capabilities.length
          ? eoi.capabilities.map((code) => label(reference.capabilities, code)).join(", ")
          : empty}
      </dd>
      <dt>{t("eoiForm.initiatives")}</dt>
      <dd>{eoi.regional_initiatives.length ? eoi.regional_initiatives.join(", ") : empty}</dd>
      <dt>{t("eoiForm.priorities")}</dt>
      <dd>
        {eoi.kigali_priorities.length
          ? eoi.kigali_priorities.map((code) => label(reference.priorities, code)).join(", ")
          : empty}
      </dd>
      <dt>{t("eoiForm.alignment")}</dt>
      <dd>{text(eoi.alignment)}</dd>
      <dt>{t("eoiForm.motivation")}</dt>
      <dd>{text(eoi.motivation)}</dd>
      <dt>{t("eoiForm.ecosystem")}</dt>
      <dd>{text(eoi.ecosystem)}</dd>
      <dt>{t("eoiForm.resources")}</dt>
      <dd>{text(eoi.resources)}</dd>
      <dt>{t("eoiForm.governance")}</dt>
      <dd>{text(eoi.governance)}</dd>
      <dt>{t("attachments.title")}</dt>
      <dd>
        {eoi.attachments.length ? (
          <ul className="file-list">
            {eoi.attachments.map((file) => (
              <li key={file.id}>
                <a href={`/attachments/${file.id}`}>{file.file_name}</a>
              </li>
            ))}
          </ul>
        ) : (
          empty
        )}
      </dd>
    </dl>
  );
}

/** What happened to an EoI, in the reader's language. */
export function Timeline({
  entries,
}: {
  entries: { id: number; occurred_at: string; action: string; to_state: string | null; reason: string | null }[];
}) {
  const { t } = useTranslation();
  return (
    <ol className="timeline">
      {entries.map((entry) => (
        <li key={entry.id}>
          <LocalTime iso={entry.occurred_at} />{" "}
          <strong>{t(`timeline.${entry.action}`, { defaultValue: entry.action })}</strong>
          {entry.reason ? <p className="prewrap">{entry.reason}</p> : null}
        </li>
      ))}
    </ol>
  );
}
