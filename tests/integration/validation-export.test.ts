import { beforeAll, describe, expect, it } from "vitest";
import { buildCast, buildEoiInState, type Cast } from "../support/factories";
import { getPage, signInCookie } from "../support/http";
import { withDatabase } from "../support/supabase";

// A centre name that breaks naive CSV: a comma, a quote and a line break; an institution that a spreadsheet would run.
const awkwardName = 'Centre "Alpha", Tunis\nSecond line';
const formulaName = '=HYPERLINK("http://evil.example")';

let cast: Cast;
let call: string;
let eoi: string;
let cookie: string;

beforeAll(async () => {
  cast = await buildCast();
  const built = await buildEoiInState(cast, "submitted");
  ({ call, eoi } = built);
  await withDatabase(async (db) => {
    await db.query("update public.eois set centre_name = $2 where id = $1", [eoi, awkwardName]);
    await db.query("update public.organisations set name = $2 where id = $1", [built.organisation, formulaName]);
  });
  cookie = await signInCookie(cast.reviewer);
});

/** The export as the browser downloads it: raw bytes, so the byte order mark is seen (text() would drop it). */
async function download(language: string): Promise<Uint8Array> {
  const response = await getPage(`/review/export?call=${call}`, {
    cookie,
    headers: { "accept-language": language },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  return new Uint8Array(await response.arrayBuffer());
}

const decode = (bytes: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

describe("the validation queue's CSV export", () => {
  it("gives times in UTC, as ISO 8601 with Z, and says so in the header (issue 17)", async () => {
    const text = decode(await download("en"));
    const header = text.split("\n")[0]!;
    expect(header).toContain('"Submitted (UTC)"');
    expect(text).toMatch(/,"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",/);
  });

  it("starts with a UTF-8 byte order mark and has headers in Arabic for an Arabic reader", async () => {
    const bytes = await download("ar");
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = decode(bytes);
    expect(text.split("\n")[0]).toBe(
      '\uFEFF"المعرّف","المركز المقترح","المؤسسة","البلد","المنطقة","الحالة","تاريخ التقديم (UTC)","نوع المركز","القدرات","الدعوة"',
    );
  });

  it("has French headers for a French reader, and keeps a comma, a quote and a line break inside one cell", async () => {
    const text = decode(await download("fr-FR,fr;q=0.9"));
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text.split("\n")[0]).toBe(
      '\uFEFF"Identifiant","Centre proposé","Institution","Pays","Région","Statut","Soumis le (UTC)","Type de centre","Capacités","Appel"',
    );
    // One data record (its quoted line break makes it two physical lines), then the final newline.
    const record = text.slice(text.indexOf("\n") + 1);
    expect(
      record.startsWith(`"${eoi}","Centre ""Alpha"", Tunis\nSecond line","'=HYPERLINK(""http://evil.example"")",`),
    ).toBe(true);
    expect(record.endsWith("\n")).toBe(true);
    expect(record.split("\n")).toHaveLength(3);
  });
});
