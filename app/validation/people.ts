import { z } from "zod";
import { appRoles } from "~/lib/enums";

/**
 * The people page's search, read from the URL so a search can be bookmarked: text in a name or email, a role, a
 * page. A value that is not one of the choices is dropped, never a 500.
 */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional().catch(undefined));

export const peopleQuerySchema = z.object({
  q: optional(z.string().trim().max(200)),
  role: optional(z.enum(appRoles)),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

export type PeopleQuery = z.infer<typeof peopleQuerySchema>;

export const PEOPLE_PAGE_SIZE = 50;

export function parsePeopleQuery(url: URL): PeopleQuery {
  return peopleQuerySchema.parse(Object.fromEntries(url.searchParams));
}
