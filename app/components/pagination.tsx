import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/**
 * "Previous · Page N of M · Next" under a long list (the validation queue, the people page, the automatic
 * assignment's preview); nothing when everything fits on one page unless `evenForOnePage`. `linkTo` keeps the list's
 * own filters in each link; `label` names the navigation when the page has more than one list.
 */
export function Pagination({
  page,
  pages,
  linkTo,
  label,
  evenForOnePage = false,
}: {
  page: number;
  pages: number;
  linkTo: (page: number) => string;
  label?: string;
  evenForOnePage?: boolean;
}) {
  const { t } = useTranslation();
  if (pages <= 1 && !evenForOnePage) return null;
  return (
    <nav aria-label={label ?? t("review.pagination")} className="pagination">
      {page > 1 ? <Link to={linkTo(page - 1)}>{t("review.previous")}</Link> : null}
      <span>{t("review.pageOf", { page, pages })}</span>
      {page < pages ? <Link to={linkTo(page + 1)}>{t("review.next")}</Link> : null}
    </nav>
  );
}
