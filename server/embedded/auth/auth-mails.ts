import i18next from "i18next";
import type pg from "pg";
import { defaultLanguage, isLanguageCode, textDirection, type LanguageCode } from "../../../app/i18n/config.js";
import { resources } from "../../../app/i18n/resources.server.js";
import type { MailMessage } from "../mail-outbox.js";
import type { AuthUserRow } from "./store.js";

/**
 * The link mails Supabase Auth sends, each written in the recipient's language (`authMails.*` in the locale files);
 * the reauthentication code has its own below.
 */
export type AuthMailKind = "signup" | "magiclink" | "recovery" | "invite" | "emailChange" | "emailChangeCurrent";

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
    const { rows } = await pool.query<{ locale: string | null }>("select locale from public.profiles where id = $1", [
      user.id,
    ]);
    const fromProfile = rows[0]?.locale;
    if (isLanguageCode(fromProfile)) return fromProfile;
  } catch {
    // No profiles table (a bare auth stack): the metadata decides.
  }
  return isLanguageCode(fromMetadata) ? fromMetadata : defaultLanguage;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** A mail's body: its action line, then a link (as a button in HTML) and/or a code, then the footer. */
function render(
  language: LanguageCode,
  to: string,
  subject: string,
  action: string,
  footer: string,
  parts: { link?: string; button?: string; code?: string },
): MailMessage {
  const fixed = t.getFixedT(language);
  const dir = textDirection(language);
  const codeLine = parts.code === undefined ? undefined : fixed("authMails.code", { code: parts.code });
  const text = [action, parts.link, parts.link ? codeLine : parts.code, footer].filter(Boolean).join("\n\n");
  const htmlParts = [
    `<p>${escapeHtml(action)}</p>`,
    parts.link ? `<p><a href="${escapeHtml(parts.link)}">${escapeHtml(parts.button ?? parts.link)}</a></p>` : "",
    parts.code === undefined
      ? ""
      : parts.link
        ? `<p>${escapeHtml(codeLine!)}</p>`
        : `<p style="font-size: 1.5em; letter-spacing: 0.2em"><strong>${escapeHtml(parts.code)}</strong></p>`,
    `<p style="color: #555">${escapeHtml(footer)}</p>`,
  ].filter(Boolean);
  const html = `<!doctype html>
<html lang="${language}" dir="${dir}">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5" dir="${dir}">
${htmlParts.join("\n")}
</body>
</html>`;
  return { to, subject, text: `${text}\n`, html };
}

/**
 * Plain text plus an HTML alternative whose `lang` and `dir` follow the language (Arabic right to left). A `code`
 * is added for the address-change mails, whose code supabase-js's verifyOtp accepts as well as the link; `values`
 * fill the action's placeholders (`{{from}}`, `{{to}}` of emailChangeCurrent).
 */
export function authMail(
  kind: AuthMailKind,
  language: LanguageCode,
  to: string,
  link: string,
  options: { code?: string; values?: Record<string, string> } = {},
): MailMessage {
  const fixed = t.getFixedT(language);
  const once = fixed(options.code === undefined ? "authMails.once" : "authMails.linkAndCodeOnce");
  return render(
    language,
    to,
    fixed(`authMails.${kind}.subject`),
    fixed(`authMails.${kind}.action`, options.values ?? {}),
    `${once} ${fixed("authMails.ignore")}`,
    { link, button: fixed(`authMails.${kind}.button`), code: options.code },
  );
}

/** The reauthentication mail: a code only (supabase-js's updateUser takes it as `nonce`), in the recipient's language. */
export function reauthenticationMail(language: LanguageCode, to: string, code: string): MailMessage {
  const fixed = t.getFixedT(language);
  return render(
    language,
    to,
    fixed("authMails.reauthentication.subject"),
    fixed("authMails.reauthentication.action"),
    `${fixed("authMails.codeOnce")} ${fixed("authMails.ignore")}`,
    { code },
  );
}
