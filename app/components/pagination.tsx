import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/**
 * "Previous · Page N of M · Next" under a long list (the validation queue, the people page); nothing when everything
 * fits on one page. `linkTo` keeps the list's own filters in each link.
 */
export function Pagination({ page, pages, linkTo }: { page: number; pages: number; linkTo: (page: number) => string }) {
  const { t } = useTranslation();
  if (pages <= 1) return null;
  return (
    <nav aria-label={t("review.pagination")} className="pagination">
      {page > 1 ? <Link to={linkTo(page - 1)}>{t("review.previous")}</Link> : null}
      <span>{t("review.pageOf", { page, pages })}</span>
      {page < pages ? <Link to={linkTo(page + 1)}>{t("review.next")}</Link> : null}
    </nav>
  );
}
