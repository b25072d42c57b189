import "./lib/zod-client-config";
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { defaultLanguage, isLanguageCode } from "~/i18n/config";
import { readPageStrings } from "~/i18n/page-strings";
import { RequestLanguageContext } from "~/i18n/request-language";
import { loadTranslation, registerPageStrings } from "~/i18n/translations";

const documentLanguage = document.documentElement.lang;
const pageLanguage = isLanguageCode(documentLanguage) ? documentLanguage : defaultLanguage;

function hydrate() {
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RequestLanguageContext.Provider value={pageLanguage}>
          <RemixBrowser />
        </RequestLanguageContext.Provider>
      </StrictMode>,
    );
  });
}

// React hydrates with the strings the page carries; the language's whole set (a hashed JSON asset) is fetched now,
// after the page's scripts, for what the page shows later. A page without its strings waits for the whole set.
const strings = readPageStrings();
if (strings) registerPageStrings(pageLanguage, strings);
const wholeSet = loadTranslation(pageLanguage);
if (strings) {
  hydrate();
  wholeSet.catch((error: unknown) => console.error(error));
} else {
  void wholeSet.then(hydrate);
}
