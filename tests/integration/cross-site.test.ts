import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCall, buildCast, buildDraftEoi, buildOrganisation, type Cast } from "../support/factories";
import { sameOrigin, signInCookie } from "../support/http";
import { projectRoot } from "../support/server-process";
import { stack, withDatabase } from "../support/supabase";

/** Every route module that exports an `action`: a new one is covered without touching this file. */
const routesDir = path.join(projectRoot, "app", "routes");
const actionRoutes = readdirSync(routesDir)
  .filter((file) => /\.tsx?$/.test(file))
  .filter((file) =>
    /export\s+(async\s+)?function\s+action\b|export\s+const\s+action\b/.test(
      readFileSync(path.join(routesDir, file), "utf8"),
    ),
  )
  .sort();

/** The URL of a Remix flat route file, with each `$param` filled in (by `ids`, else a fresh UUID). */
function routeUrl(file: string, ids: Record<string, string>): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(".")
    .filter((segment) => segment !== "_index" && !segment.startsWith("_"))
    .map((segment) => (segment.startsWith("$") ? (ids[segment.slice(1)] ?? randomUUID()) : segment.replace(/_$/, "")));
  return `/${segments.join("/")}`;
}

const foreign = "https://evil.example";
const variants: [string, Record<string, string>][] = [
  ["a foreign Origin", { origin: foreign, referer: `${foreign}/page` }],
  ["no Origin and a foreign Referer", { referer: `${foreign}/page` }],
  ["Origin null", { origin: "null" }],
  ["neither Origin nor Referer", {}],
];

let cast: Cast;
let eoi: string;
let applicantCookie: string;
let coordinatorCookie: string;

beforeAll(async () => {
  cast = await buildCast();
  const organisation = await buildOrganisation(cast.applicant);
  eoi = await buildDraftEoi(cast.applicant, organisation, await buildCall(cast.coordinator), false);
  [applicantCookie, coordinatorCookie] = await Promise.all([
    signInCookie(cast.applicant),
    signInCookie(cast.coordinator),
  ]);
});

const post = (url: string, headers: Record<string, string>, body: BodyInit = new URLSearchParams({ intent: "save" })) =>
  fetch(`${stack().url}${url}`, { method: "POST", body, headers, redirect: "manual" });

describe("cross-site posts to every action route", () => {
  it("finds the action routes", () => {
    expect(actionRoutes).toEqual(
      expect.arrayContaining(["people.tsx", "eois.$eoiId.attachments.tsx", "sign-out.tsx", "language.tsx"]),
    );
    expect(routeUrl("eois.$eoiId.edit.$step.tsx", { eoiId: "e", step: "contact" })).toBe("/eois/e/edit/contact");
    expect(routeUrl("review._index.tsx", {})).toBe("/review");
  });

  for (const file of actionRoutes) {
    for (const [name, headers] of variants) {
      it(`${file}: ${name} → 403, before the route runs`, async () => {
        const url = routeUrl(file, { eoiId: eoi, step: "contact" });
        for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
          const response = await fetch(`${stack().url}${url}`, {
            method,
            body: new URLSearchParams({ intent: "save" }),
            headers: { ...headers, cookie: file.startsWith("eois.") ? applicantCookie : coordinatorCookie },
            redirect: "manual",
          });
          expect(response.status, `${method} ${url}`).toBe(403);
          // Neither a session cookie nor a language cookie is set by a refused request.
          expect(response.headers.getSetCookie()).toEqual([]);
          await response.body?.cancel();
        }
      });
    }
  }
});

describe("nothing changes, and the same post from the site itself works", () => {
  const roles = (person: string) =>
    withDatabase(async (db) =>
      (
        await db.query<Record<string, unknown>>(
          "select role from public.role_grants where user_id = $1 order by role",
          [person],
        )
      ).rows.map((row) => row.role as string),
    );

  it("a coordinator's cookie cannot grant a role from another site", async () => {
    const person = cast.outsider.id;
    const before = await roles(person);
    expect(before).not.toContain("reviewer");
    for (const [, headers] of variants) {
      const response = await post(
        "/people",
        { ...headers, cookie: coordinatorCookie },
        new URLSearchParams({ intent: "grant", person, role: "reviewer" }),
      );
      expect(response.status).toBe(403);
    }
    expect(await roles(person)).toEqual(before);
    // The control: the very same post from the site's own page grants the role (by Origin, or by Referer alone).
    const granted = await post(
      "/people",
      { ...sameOrigin(), cookie: coordinatorCookie },
      new URLSearchParams({ intent: "grant", person, role: "reviewer" }),
    );
    expect(granted.status).toBe(200);
    expect(await roles(person)).toContain("reviewer");
    const viaReferer = await post(
      "/people",
      { referer: `${stack().url}/people`, cookie: coordinatorCookie },
      new URLSearchParams({ intent: "grant", person, role: "board_member" }),
    );
    expect(viaReferer.status).toBe(200);
    expect(await roles(person)).toContain("board_member");
  });

  it("attachments are neither deleted nor uploaded from another site", async () => {
    const attachment = await withDatabase(async (db) => {
      const { rows } = await db.query<{ id: string }>(
        `insert into public.attachments (eoi_id, file_name, content_type, size_bytes, sha256, uploaded_by)
         values ($1, 'letter.pdf', 'application/pdf', 9, repeat('a', 64), null) returning id`,
        [eoi],
      );
      await db.query(
        "insert into public.attachment_contents (attachment_id, content) values ($1, '%PDF-1.7\n'::bytea)",
        [rows[0]!.id],
      );
      return rows[0]!.id;
    });
    const count = () =>
      withDatabase(async (db) =>
        Number(
          (await db.query<Record<string, unknown>>("select count(*) from public.attachments where eoi_id = $1", [eoi]))
            .rows[0]!.count,
        ),
      );
    const upload = () => {
      const form = new FormData();
      form.set("file", new File(["%PDF-1.7\n%%EOF\n"], "plan.pdf", { type: "application/pdf" }));
      return form;
    };
    const removal = () => {
      const form = new FormData();
      form.set("remove", attachment);
      return form;
    };
    for (const [, headers] of variants) {
      for (const body of [removal(), upload()]) {
        const response = await post(
          `/eois/${eoi}/attachments`,
          { ...headers, cookie: applicantCookie, accept: "application/json" },
          body,
        );
        expect(response.status).toBe(403);
      }
    }
    expect(await count()).toBe(1);
    const removed = await post(
      `/eois/${eoi}/attachments`,
      { ...sameOrigin(), cookie: applicantCookie, accept: "application/json" },
      removal(),
    );
    expect(removed.status).toBe(200);
    expect(await count()).toBe(0);
  });

  it("another site can neither sign a person out nor sign them in", async () => {
    for (const [, headers] of variants) {
      expect((await post("/sign-out", { ...headers, cookie: coordinatorCookie })).status).toBe(403);
    }
    const home = await fetch(`${stack().url}/home`, { headers: { cookie: coordinatorCookie }, redirect: "manual" });
    expect(home.status).toBe(200);
    await home.body?.cancel();
    const login = await post(
      "/sign-in",
      { origin: foreign },
      new URLSearchParams({ email: cast.reviewer.email, password: cast.reviewer.password }),
    );
    expect(login.status).toBe(403);
    expect(login.headers.getSetCookie()).toEqual([]);
  });

  it("answers browsers with a short page in their language", async () => {
    const response = await post(
      "/language",
      { origin: foreign, accept: "text/html", "accept-language": "fr-FR,fr;q=0.9" },
      new URLSearchParams({ language: "ar" }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain("Requête refusée");
  });
});
