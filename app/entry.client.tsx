import "./lib/zod-client-config";
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { defaultLanguage, isLanguageCode } from "~/i18n/config";
import { RequestLanguageContext } from "~/i18n/request-language";

const pageLanguage = document.documentElement.lang;

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RequestLanguageContext.Provider value={isLanguageCode(pageLanguage) ? pageLanguage : defaultLanguage}>
        <RemixBrowser />
      </RequestLanguageContext.Provider>
    </StrictMode>,
  );
});
