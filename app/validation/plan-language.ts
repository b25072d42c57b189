import { z } from "zod";
import { languageCodes } from "~/i18n/config";

/** The language an action plan is written in (issue 18): one of the six ITU languages. */
export const planLanguageSchema = z.enum(languageCodes, { error: "errors.invalidChoice" });

/** The application page's "plan-language" intent. */
export const planLanguageFormSchema = z.object({ language: planLanguageSchema });
