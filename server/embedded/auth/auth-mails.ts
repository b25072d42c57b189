import i18next from "i18next";
import type pg from "pg";
import { defaultLanguage, isLanguageCode, resources, textDirection, type LanguageCode } from "../../../app/i18n/config.js";
import type { MailMessage } from "../mail-outbox.js";
import type { AuthUserRow } from "./store.js";

/** The mails Supabase Auth sends, each written in the recipient's language (`authMails.*` in the locale files). */
export type AuthMailKind = "signup" | "magiclink" | "recovery" | "invite" | "emailChange";

const t = i18next.createInstance();
void t.init({
  resources,
  fallbackLng: defaultLanguage,
  initAsync: false,
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});

/**
 * The recipient's language: their profile's (they may have changed it since), else the `locale` the sign-up or
 * invitation put in their metadata, else English. The profile lives in the app's schema, so a stack without it
 * still answers from the metadata.
 */
export async function recipientLanguage(pool: pg.Pool, user: AuthUserRow): Promise<LanguageCode> {
  const fromMetadata = user.raw_user_meta_data?.locale;
  try {
    const { rows } = await pool.query<{ locale: string | null }>(
      "select locale from public.profiles where id = $1",
      [user.id],
    );
    const fromProfile = rows[0]?.locale;
    if (isLanguageCode(fromProfile)) return fromProfile;
  } catch {
    // No profiles table (a bare auth stack): the metadata decides.
  }
  return isLanguageCode(fromMetadata) ? fromMetadata : defaultLanguage;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Plain text plus an HTML alternative whose `lang` and `dir` follow the language (Arabic right to left). */
export function authMail(kind: AuthMailKind, language: LanguageCode, to: string, link: string): MailMessage {
  const fixed = t.getFixedT(language);
  const subject = fixed(`authMails.${kind}.subject`);
  const action = fixed(`authMails.${kind}.action`);
  const button = fixed(`authMails.${kind}.button`);
  const footer = `${fixed("authMails.once")} ${fixed("authMails.ignore")}`;
  const dir = textDirection(language);
  const html = `<!doctype html>
<html lang="${language}" dir="${dir}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5" dir="${dir}">
<p>${escapeHtml(action)}</p>
<p><a href="${escapeHtml(link)}">${escapeHtml(button)}</a></p>
<p style="color: #555">${escapeHtml(footer)}</p>
</body>
</html>`;
  return { to, subject, text: `${action}\n\n${link}\n\n${footer}\n`, html };
}
