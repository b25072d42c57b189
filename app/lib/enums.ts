import { Constants } from "~/lib/database.types";

/**
 * One source for each database enum's values (issue 13): the generated `Constants` (`npm run db:types`), so a value
 * added in a migration reaches every zod schema and <select> at once and none repeats the literals.
 */
const enums = Constants.public.Enums;

export const appRoles = enums.app_role;
export const applicationStatuses = enums.application_status;
export const centreScopes = enums.centre_scope;
export const eoiStatuses = enums.eoi_status;
export const organisationKinds = enums.organisation_kind;
export const requestKinds = enums.request_kind;
export const voteChoices = enums.vote_choice;
export const notificationDeliveries = enums.notification_delivery;

/** The kinds of notification a person steers (issue 17); the database's notification_preferences check lists them. */
export const notificationCategories = ["mention", "comment", "eoi", "application", "board", "other"] as const;
export type NotificationCategory = (typeof notificationCategories)[number];
