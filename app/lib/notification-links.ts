/** Where a notification leads. Kinds sent to BDT open the validation page; the others, the applicant's page. */
export function notificationLink(kind: string, entityType: string, entityId: string): string {
  if (entityType === "eoi") {
    return ["eoi_submitted", "eoi_resubmitted", "eoi_withdrawn"].includes(kind)
      ? `/review/${entityId}`
      : `/eois/${entityId}`;
  }
  if (entityType === "reviewer") return "/review?assignee=me";
  if (entityType === "call") return `/calls/${entityId}`;
  // Applicants, BDT and the chair are told about an application; the chair's page sends them on to the Board (issue 5).
  if (entityType === "application") return `/applications/${entityId}`;
  if (entityType === "board_review") return `/board/reviews/${entityId}`;
  // A Board condition (issue 15): the centre, BDT and the chair all act on its page.
  if (entityType === "condition") return `/conditions/${entityId}`;
  // Progress reports (issue 16): the centre writes, BDT reviews, on the report's page.
  if (entityType === "progress_report") return `/reports/${entityId}`;
  // Comments and mentions (issue 17) open the thread's page.
  if (entityType === "plan") return `/plans/${entityId}`;
  if (entityType === "board_packet") return `/board/packets/${entityId}`;
  return "/notifications";
}
