import type { TFunction } from "i18next";

/** Versions the system names itself: their stored kind is the key of their name in the reader's language. */
const systemNamed = new Set(["sent_to_board", "approved", "amendment_submitted"]);

/**
 * A version's name as the reader sees it. The automatic copy kept before a restore stores the restored version's
 * name and is shown as "Before restoring “…”" in the reader's language (issue 11); versions the system writes
 * ("Sent to the Board", "Approved by the Board") are named from their kind in the reader's language, whatever
 * language their stored name is in, so rows written before issue 18 read the same (issue 18).
 */
export function versionLabel(t: TFunction, version: { name: string; kind?: string | null }): string {
  if (version.kind === "before_restore") return t("plan.beforeRestoring", { name: version.name });
  if (version.kind && systemNamed.has(version.kind)) return t(`planVersionNames.${version.kind}`);
  return version.name;
}
