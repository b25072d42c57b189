import "./lib/zod-client-config";
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { defaultLanguage, isLanguageCode } from "~/i18n/config";
import { RequestLanguageContext } from "~/i18n/request-language";
import { loadTranslation } from "~/i18n/translations";

const documentLanguage = document.documentElement.lang;
const pageLanguage = isLanguageCode(documentLanguage) ? documentLanguage : defaultLanguage;

// Only the page's language is fetched (a hashed JSON asset, preloaded by the page's <head>), then React hydrates.
void loadTranslation(pageLanguage).then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RequestLanguageContext.Provider value={pageLanguage}>
          <RemixBrowser />
        </RequestLanguageContext.Provider>
      </StrictMode>,
    );
  }),
);
