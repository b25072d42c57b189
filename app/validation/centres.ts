import { z } from "zod";
import { centreScopes } from "~/lib/enums";

/** The public directory's filters, read from the URL (a GET form), so a filtered view can be shared. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional().catch(undefined));

export const directoryFilterSchema = z.object({
  region: optional(z.enum(["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"])),
  country: optional(z.string().regex(/^[A-Z]{2}$/)),
  type: optional(z.string().regex(/^[a-z0-9_]{1,100}$/)),
  scope: optional(z.enum(centreScopes)),
  capability: optional(z.string().regex(/^[a-z0-9_]{1,100}$/)),
});

export type DirectoryFilters = z.infer<typeof directoryFilterSchema>;

export function parseDirectoryFilters(url: URL): DirectoryFilters {
  return directoryFilterSchema.parse(Object.fromEntries(url.searchParams));
}
