import { createContext, useContext } from "react";
import { defaultLanguage, type LanguageCode } from "./config";

/**
 * The reader's language as the entry modules know it (the server from the request, the browser from `<html lang>`).
 * When an action throws a 4xx, Remix renders the root error boundary without running the root loader, so its
 * data (and the language in it) is missing: this keeps the error page in the person's language (issue 11).
 */
export const RequestLanguageContext = createContext<LanguageCode>(defaultLanguage);

export const useRequestLanguage = () => useContext(RequestLanguageContext);
