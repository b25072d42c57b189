/** The roles of DOMAIN.md, in the order pages list them (mirrors the database enum `app_role`). */
export const appRoles = ["applicant", "reviewer", "coordinator", "board_member", "board_chair"] as const;
export type AppRole = (typeof appRoles)[number];
