import type { TFunction } from "i18next";

/**
 * A version's name as the reader sees it. The automatic copy kept before a restore stores the restored version's
 * name and is shown as "Before restoring “…”" in the reader's language (issue 11).
 */
export function versionLabel(t: TFunction, version: { name: string; kind: string }): string {
  return version.kind === "before_restore" ? t("plan.beforeRestoring", { name: version.name }) : version.name;
}
