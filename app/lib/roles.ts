/** The roles of DOMAIN.md, in the order pages list them (mirrors the database enum `app_role`). */
import { appRoles } from "~/lib/enums";

export { appRoles };
export type AppRole = (typeof appRoles)[number];
