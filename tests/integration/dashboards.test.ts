import { beforeAll, describe, expect, it } from "vitest";
import en from "../../app/i18n/locales/en.json";
import {
  buildApplication,
  buildCall,
  buildCast,
  buildEoiInState,
  buildOrganisation,
  rpc,
  type Cast,
} from "../support/factories";
import { getPage, signInCookie } from "../support/http";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/** The text React writes for a string (the few entities it escapes). */
const unescape = (text: string) =>
  text
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();

/** The figure captioned `title`: its SVG and its data table, row label to the numbers in each column. */
function figure(html: string, title: string) {
  const figures = html.split('<figure class="chart"').slice(1);
  const match = figures.find((part) => unescape(/class="chart__title">([^<]*)</.exec(part)?.[1] ?? "") === title);
  expect(match, `a figure titled ${title}`).toBeDefined();
  const part = match!.split("</figure>")[0]!;
  const rows = new Map<string, number[]>();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(part)?.[1] ?? "";
  for (const row of body.split("</tr>")) {
    const label = /<th scope="row">([^<]*)<\/th>/.exec(row)?.[1];
    if (label === undefined) continue;
    const cells = [...row.matchAll(/<td class="numeric">([^<]*)<\/td>/g)].map((cell) =>
      Number(unescape(cell[1]!).replace(/[^\d.-]/g, "")),
    );
    rows.set(unescape(label), cells);
  }
  const headings = [...(/<thead>([\s\S]*?)<\/thead>/.exec(part)?.[1] ?? "").matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map(
    (heading) => unescape(heading[1]!),
  );
  return { svg: /<svg[\s\S]*?<\/svg>/.exec(part)?.[0] ?? "", rows, headings };
}

const statusLabel = (status: string) => (en.status as Record<string, string>)[status]!;

async function sqlCounts(query: string, args: unknown[]): Promise<Map<string, number[]>> {
  return withDatabase(async (db) => {
    const result = await db.query<{ label: string; a: number; b: number }>(query, args);
    return new Map(result.rows.map((row) => [row.label, [Number(row.a), Number(row.b)]]));
  });
}

describe("dashboards (issue 17)", () => {
  let cast: Cast;
  let chair: TestUser;
  let call: string;
  let otherCall: string;
  let review: string;
  let coordinatorCookie: string;
  let memberCookie: string;

  beforeAll(async () => {
    cast = await buildCast();
    chair = await buildUser(["board_chair"], "Dashboard Chair");
    call = await buildCall(cast.coordinator);
    // A seeded portfolio in one call: EoIs in four states from institutions in two regions (Kenya, France), one
    // of them submitted 40 days ago (overdue), one of another centre type; two applications before the Board.
    const kenya = await buildOrganisation(cast.applicant, [cast.colleague]);
    const france = await buildOrganisation(cast.applicant, [cast.colleague]);
    otherCall = await buildCall(cast.coordinator);
    await withDatabase((db) => db.query("update public.organisations set country_code = 'FR' where id = $1", [france]));
    const submitted = await buildEoiInState(cast, "submitted", { organisation: kenya, call });
    await buildEoiInState(cast, "under_validation", { organisation: france, call });
    const other = await buildEoiInState(cast, "declined", { organisation: kenya, call: otherCall });
    await withDatabase(async (db) => {
      await db.query("update public.eois set submitted_at = now() - interval '40 days' where id = $1", [submitted.eoi]);
      await db.query("update public.eois set proposed_centre_type = 'technology_accelerator' where id = $1", [
        other.eoi,
      ]);
    });
    const [first, second] = await Promise.all([
      buildApplication(cast, "board_review", { organisation: france, call: await buildCall(cast.coordinator) }),
      buildApplication(cast, "board_review", { organisation: kenya, call: await buildCall(cast.coordinator) }),
    ]);
    // The two applications' EoIs are validated in calls of their own; this call gets one validated EoI as well.
    await buildEoiInState(cast, "validated", { organisation: france, call: otherCall });
    review = await rpc<string>(chair.client, "open_board_review", {
      title: "Dashboard review",
      closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      applications: [first.application, second.application],
      quorum: 1,
    });
    [coordinatorCookie, memberCookie] = await Promise.all([
      signInCookie(cast.coordinator),
      signInCookie(cast.boardMember),
    ]);
  }, 240_000);

  it("the pipeline's figures equal SQL counts over the seeded EoIs, for each filter, with the SVG in the page's HTML", async () => {
    const cases: [string, string, unknown[]][] = [
      [`?call=${call}`, "x.call_id = $1", [call]],
      [`?call=${call}&region=EUR`, "x.call_id = $1 and c.region_code = 'EUR'", [call]],
      [`?call=${otherCall}`, "x.call_id = $1", [otherCall]],
      [
        `?call=${otherCall}&type=technology_accelerator`,
        "x.call_id = $1 and x.proposed_centre_type = 'technology_accelerator'",
        [otherCall],
      ],
    ];
    for (const [query, where, args] of cases) {
      const response = await getPage(`/dashboards${query}`, { cookie: coordinatorCookie });
      expect(response.status, query).toBe(200);
      const html = await response.text();
      const eois = figure(html, en.dashboards.eoisByState);
      // Drawn on the server: the SVG is in the HTML a browser without JavaScript receives, named by the caption.
      expect(eois.svg, query).toMatch(/<svg[^>]*role="img"/);
      expect(eois.svg, query).toContain("<rect");
      expect(eois.headings).toEqual([en.dashboards.state, en.dashboards.items, en.dashboards.overdue]);
      const expected = await sqlCounts(
        `select x.status::text as label, count(*) as a,
                count(*) filter (where x.status in ('submitted', 'under_validation', 'clarification_requested',
                  'resubmitted') and x.submitted_at < now() - interval '30 days') as b
         from public.eois x join public.organisations o on o.id = x.organisation_id
         join public.countries c on c.code = o.country_code
         where x.status <> 'draft' and ${where} group by x.status`,
        args,
      );
      expect(expected.size, `${query}: the seed has EoIs here`).toBeGreaterThan(0);
      for (const [status, cells] of eois.rows) {
        const status_ = Object.keys(en.status).find((key) => statusLabel(key) === status)!;
        expect(cells, `${query} ${status}`).toEqual(expected.get(status_) ?? [0, 0]);
      }
      expect(
        [...expected.keys()].every((status) => eois.rows.has(statusLabel(status))),
        query,
      ).toBe(true);
    }
  });

  it("a Board review's toggle adds its packets to the portfolio balance, counted as SQL counts them", async () => {
    // Before declaring, a Board member's figures leave both packets out and say so (Board secrecy).
    const undeclared = await (
      await getPage(`/dashboards?review=${review}&with=review`, { cookie: memberCookie })
    ).text();
    expect(undeclared).toContain(unescape(en.dashboards.hidden.replace("{{count}}", "2")));
    const packets = await withDatabase(
      async (db) =>
        (await db.query<{ id: string }>("select id from public.board_packets where review_id = $1", [review])).rows,
    );
    for (const packet of packets)
      await rpc(cast.boardMember.client, "declare_conflict", { packet: packet.id, has_conflict: false });
    for (let attempt = 0; ; attempt++) {
      const designated = () =>
        sqlCounts(
          `select c.region_code as label, count(*) as a, 0 as b from public.centres ce
           join public.countries c on c.code = ce.country_code group by c.region_code`,
          [],
        );
      const before = await designated();
      const [withReview = "", without = ""] = await Promise.all(
        [`?review=${review}&with=review`, `?review=${review}`].map(async (query) => {
          const response = await getPage(`/dashboards${query}`, { cookie: memberCookie });
          expect(response.status, query).toBe(200);
          return response.text();
        }),
      );
      const after = await designated();
      // Other tests designate centres meanwhile: compare only when nothing changed around the two reads.
      if (JSON.stringify([...before]) !== JSON.stringify([...after]) && attempt < 3) continue;
      const inReview = await sqlCounts(
        `select c.region_code as label, 0 as a, count(*) as b from public.board_packets p
         join public.centre_applications a on a.id = p.application_id
         join public.organisations o on o.id = a.organisation_id join public.countries c on c.code = o.country_code
         where p.review_id = $1 group by c.region_code`,
        [review],
      );
      const added = figure(withReview, en.dashboards.byRegion);
      expect(added.headings).toEqual([
        en.dashboards.dimension.region,
        en.dashboards.designated,
        en.dashboards.inThisReview,
        en.charts.total,
      ]);
      expect(added.svg).toContain("<rect");
      for (const code of ["AFR", "AMS", "ARB", "ASP", "CIS", "EUR"]) {
        const label = (en.regions as Record<string, string>)[code]!;
        const [designatedHere = 0, reviewHere = 0] = [before.get(code)?.[0], inReview.get(code)?.[1]];
        expect(added.rows.get(label), code).toEqual([designatedHere, reviewHere, designatedHere + reviewHere]);
      }
      expect(inReview.get("EUR")?.[1]).toBe(1);
      expect(inReview.get("AFR")?.[1]).toBe(1);
      expect(withReview).not.toContain(en.dashboards.hidden.split(":")[0]);
      // Without the toggle: designated centres only, no column for the review.
      const plain = figure(without, en.dashboards.byRegion);
      expect(plain.headings).toEqual([en.dashboards.dimension.region, en.dashboards.designated]);
      // A Board member sees the portfolio but not BDT's pipeline.
      expect(without).not.toContain(en.dashboards.eoisByState);
      break;
    }
  });

  it("is refused to applicants", async () => {
    const response = await getPage("/dashboards", { cookie: await signInCookie(cast.applicant) });
    expect([302, 403, 404]).toContain(response.status);
  });
});
