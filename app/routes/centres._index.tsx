import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LocalTime, SelectField, TableScroll } from "~/components/fields";
import { detectLanguage } from "~/i18n/language.server";
import { centreScopes } from "~/lib/enums";
import { pageTitle } from "~/lib/meta";
import { getRequestSession } from "~/lib/session.server";
import { listDirectoryCentres } from "~/models/centres.server";
import { centreConditionCounts } from "~/models/conditions.server";
import { loadReferenceData } from "~/models/reference.server";
import { parseDirectoryFilters } from "~/validation/centres";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "centres.title");

/** Public: anyone, signed in or not, reads the directory of designated centres. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { supabase, headers, user } = await getRequestSession(request, context);
  const filters = parseDirectoryFilters(new URL(request.url));
  const [centres, reference, openConditions] = await Promise.all([
    listDirectoryCentres(supabase, filters),
    loadReferenceData(supabase, await detectLanguage(request)),
    // BDT and the Board see which centres still have open conditions (issue 15); the database refuses anyone else.
    user ? centreConditionCounts(supabase) : new Map<string, number>(),
  ]);
  return data({ centres, reference, filters, openConditions: Object.fromEntries(openConditions) }, { headers });
}

export default function Centres() {
  const { centres, reference, filters, openConditions } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const typeLabel = (code: string) => reference.centreTypes.find((type) => type.code === code)?.label ?? code;
  const countryLabel = (code: string) => reference.countries.find((country) => country.code === code)?.label ?? code;
  const capabilityLabel = (code: string) => reference.capabilities.find((item) => item.code === code)?.label ?? code;
  const filtered = Object.values(filters).some(Boolean);
  return (
    <div className="page page--wide">
      <h1>{t("centres.title")}</h1>
      <p>{t("centres.intro")}</p>
      <Form method="get" className="filters" aria-label={t("centres.filters")}>
        <SelectField
          name="region"
          label={t("centres.region")}
          placeholder={t("centres.any")}
          defaultValue={filters.region}
          options={["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"].map((code) => ({
            value: code,
            label: t(`regions.${code}`),
          }))}
        />
        <SelectField
          name="country"
          label={t("centres.country")}
          placeholder={t("centres.any")}
          defaultValue={filters.country}
          options={reference.countries.map((country) => ({ value: country.code, label: country.label }))}
        />
        <SelectField
          name="type"
          label={t("centres.type")}
          placeholder={t("centres.any")}
          defaultValue={filters.type}
          options={reference.centreTypes.map((type) => ({ value: type.code, label: type.label }))}
        />
        <SelectField
          name="scope"
          label={t("centres.scope")}
          placeholder={t("centres.any")}
          defaultValue={filters.scope}
          options={centreScopes.map((scope) => ({ value: scope, label: t(`scopes.${scope}`) }))}
        />
        <SelectField
          name="capability"
          label={t("centres.capability")}
          placeholder={t("centres.any")}
          defaultValue={filters.capability}
          options={reference.capabilities.map((item) => ({ value: item.code, label: item.label }))}
        />
        <div className="actions">
          <button type="submit" className="button">
            {t("centres.apply")}
          </button>
          {filtered ? <Link to="/centres">{t("centres.reset")}</Link> : null}
        </div>
      </Form>
      <p role="status">{t("centres.count", { count: centres.length })}</p>
      {centres.length === 0 ? (
        <p>{filtered ? t("centres.noneMatch") : t("centres.none")}</p>
      ) : (
        <TableScroll label={t("centres.title")}>
          <table className="table">
            <caption className="visually-hidden">{t("centres.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("centres.name")}</th>
                <th scope="col">{t("centres.host")}</th>
                <th scope="col">{t("centres.country")}</th>
                <th scope="col">{t("centres.region")}</th>
                <th scope="col">{t("centres.type")}</th>
                <th scope="col">{t("centres.scope")}</th>
                <th scope="col">{t("centres.capabilities")}</th>
                <th scope="col">{t("centres.designatedAt")}</th>
              </tr>
            </thead>
            <tbody>
              {centres.map((centre) => (
                <tr key={centre.id}>
                  <td>
                    <Link to={`/centres/${centre.id}`}>{centre.name}</Link>
                    {openConditions[centre.id] ? (
                      <>
                        {" "}
                        <span className="status status--condition_open">{t("conditions.designatedOpen")}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{centre.host_institution}</td>
                  <td>{countryLabel(centre.country_code)}</td>
                  <td>{t(`regions.${centre.region_code}`)}</td>
                  <td>{typeLabel(centre.centre_type)}</td>
                  <td>{t(`scopes.${centre.scope}`)}</td>
                  <td>{centre.capabilities.map(capabilityLabel).join(", ")}</td>
                  <td>
                    <LocalTime iso={centre.designated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
