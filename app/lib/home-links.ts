/**
 * The filtered lists the home page's counts link to (issue 17). The home page counts with the same filters the
 * linked page applies, so a count always equals the list it opens (tests/e2e/home.test.ts checks it per role).
 */
export const homeLinks = {
  mine: "/review?assignee=me&sort=oldest",
  unassigned: "/review?assignee=unassigned&sort=oldest",
  overdue: "/review?overdue=1&sort=oldest",
  reviewer: (id: string) => `/review?assignee=${id}&sort=oldest`,
  myApplications: "/applications?status=bdt_review&reviewer=me",
  submittedApplications: "/applications?status=submitted",
  calls: "/calls",
} as const;
