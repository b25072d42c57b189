import { useTranslation } from "react-i18next";
import { ChoiceGroup, SelectField, TextArea, TableScroll } from "~/components/fields";
import { TextField } from "~/components/text-field";
import { centreScopes } from "~/lib/enums";
import type { FieldErrors } from "~/lib/forms";
import type { EoiDetail } from "~/models/eois.server";
import type { ReferenceData } from "~/models/reference.server";
import { eoiLimits, type EoiStep } from "~/validation/eoi";

/** What the person typed (after a refused save) wins over what is stored, so nothing typed is lost. */
export function valueOf(eoi: EoiDetail, values: Record<string, string> | undefined, name: string): string {
  if (values && name in values) return values[name] ?? "";
  const stored = (eoi as unknown as Record<string, unknown>)[name];
  if (Array.isArray(stored)) return stored.join("\n");
  if (stored == null) return "";
  if (typeof stored === "string") return stored;
  if (typeof stored === "number" || typeof stored === "boolean") return String(stored);
  return JSON.stringify(stored);
}

interface StepProps {
  eoi: EoiDetail;
  reference: ReferenceData;
  values?: Record<string, string>;
  errors: FieldErrors;
}

export function ContactStep({ eoi, values, errors }: StepProps) {
  const { t } = useTranslation();
  return (
    <>
      <dl className="facts">
        <dt>{t("eoiForm.institution")}</dt>
        <dd>{eoi.organisation?.name}</dd>
      </dl>
      <TextField
        name="contact_name"
        label={t("eoiForm.contactName")}
        defaultValue={valueOf(eoi, values, "contact_name")}
        error={errors.contact_name}
        limit={eoiLimits.contact_name}
      />
      <TextField
        name="contact_email"
        type="email"
        label={t("eoiForm.contactEmail")}
        defaultValue={valueOf(eoi, values, "contact_email")}
        error={errors.contact_email}
        limit={eoiLimits.contact_email}
      />
    </>
  );
}

export function ProposalStep({ eoi, reference, values, errors }: StepProps) {
  const { t } = useTranslation();
  const allowed = eoi.call?.allowed_centre_types ?? [];
  const types = reference.centreTypes.filter((type) => allowed.length === 0 || allowed.includes(type.code));
  return (
    <div className="with-aside">
      <div>
        <TextField
          name="centre_name"
          label={t("eoiForm.centreName")}
          defaultValue={valueOf(eoi, values, "centre_name")}
          error={errors.centre_name}
          limit={eoiLimits.centre_name}
        />
        <ChoiceGroup
          type="radio"
          name="request_kind"
          label={t("eoiForm.requestKind")}
          error={errors.request_kind}
          selected={[valueOf(eoi, values, "request_kind")]}
          options={[
            { value: "establish", label: t("eoiForm.establish") },
            { value: "strengthen", label: t("eoiForm.strengthen") },
          ]}
        />
        <SelectField
          name="proposed_centre_type"
          label={t("eoiForm.centreType")}
          placeholder={t("common.choose")}
          defaultValue={valueOf(eoi, values, "proposed_centre_type")}
          error={errors.proposed_centre_type}
          hint={t("eoiForm.centreTypeHint")}
          options={types.map((type) => ({ value: type.code, label: type.label }))}
        />
        <ChoiceGroup
          type="radio"
          name="proposed_scope"
          label={t("eoiForm.scope")}
          error={errors.proposed_scope}
          selected={[valueOf(eoi, values, "proposed_scope")]}
          options={centreScopes.map((scope) => ({ value: scope, label: t(`scopes.${scope}`) }))}
        />
        <ChoiceGroup
          name="capabilities"
          label={t("eoiForm.capabilities")}
          hint={t("eoiForm.capabilitiesHint")}
          error={errors.capabilities}
          selected={valueOf(eoi, values, "capabilities").split("\n")}
          options={reference.capabilities.map((item) => ({
            value: item.code,
            label: item.label,
            description: item.description,
          }))}
        />
        <ChoiceGroup
          name="regional_initiatives"
          label={t("eoiForm.initiatives")}
          error={errors.regional_initiatives}
          selected={valueOf(eoi, values, "regional_initiatives").split("\n")}
          options={reference.initiatives.map((item) => ({ value: item.code, label: item.label }))}
        />
        <ChoiceGroup
          name="kigali_priorities"
          label={t("eoiForm.priorities")}
          error={errors.kigali_priorities}
          selected={valueOf(eoi, values, "kigali_priorities").split("\n")}
          options={reference.priorities.map((item) => ({ value: item.code, label: item.label }))}
        />
        <TextArea
          name="alignment"
          label={t("eoiForm.alignment")}
          defaultValue={valueOf(eoi, values, "alignment")}
          error={errors.alignment}
          limit={eoiLimits.alignment}
          rows={4}
        />
      </div>
      <aside className="panel guidance" aria-labelledby="guidance-title">
        <h2 id="guidance-title">{t("eoiForm.guidanceTitle")}</h2>
        <p>{t("eoiForm.guidanceIntro")}</p>
        <TableScroll label={t("eoiForm.guidanceTitle")}>
          <table className="table table--compact">
            <caption className="visually-hidden">{t("eoiForm.guidanceTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("eoiForm.guidanceType")}</th>
                <th scope="col">{t("eoiForm.guidanceOwnership")}</th>
                <th scope="col">{t("eoiForm.guidanceScope")}</th>
                <th scope="col">{t("eoiForm.guidanceResources")}</th>
              </tr>
            </thead>
            <tbody>
              {reference.centreTypes.map((type) => (
                <tr key={type.code}>
                  <th scope="row">{type.label}</th>
                  <td>{type.ownership}</td>
                  <td>{type.scopes.map((scope) => t(`scopes.${scope}`)).join(", ")}</td>
                  <td>{type.resources}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </aside>
    </div>
  );
}

export function NarrativeStep({ eoi, values, errors }: StepProps) {
  const { t } = useTranslation();
  return (
    <>
      <TextArea
        name="motivation"
        label={t("eoiForm.motivation")}
        hint={t("eoiForm.motivationHint")}
        defaultValue={valueOf(eoi, values, "motivation")}
        error={errors.motivation}
        limit={eoiLimits.motivation}
        rows={10}
      />
      <TextArea
        name="ecosystem"
        label={t("eoiForm.ecosystem")}
        hint={t("eoiForm.ecosystemHint")}
        defaultValue={valueOf(eoi, values, "ecosystem")}
        error={errors.ecosystem}
        limit={eoiLimits.ecosystem}
        rows={8}
      />
    </>
  );
}

export function ResourcesStep({ eoi, values, errors }: StepProps) {
  const { t } = useTranslation();
  return (
    <>
      <TextArea
        name="resources"
        label={t("eoiForm.resources")}
        hint={t("eoiForm.resourcesHint")}
        defaultValue={valueOf(eoi, values, "resources")}
        error={errors.resources}
        limit={eoiLimits.resources}
        rows={8}
      />
      <TextArea
        name="governance"
        label={t("eoiForm.governance")}
        hint={t("eoiForm.governanceHint")}
        defaultValue={valueOf(eoi, values, "governance")}
        error={errors.governance}
        limit={eoiLimits.governance}
        rows={8}
      />
    </>
  );
}

export const stepFields: Record<Exclude<EoiStep, "attachments" | "review">, (props: StepProps) => JSX.Element> = {
  contact: ContactStep,
  proposal: ProposalStep,
  narrative: NarrativeStep,
  resources: ResourcesStep,
};
