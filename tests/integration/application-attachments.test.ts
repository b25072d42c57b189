import { beforeAll, describe, expect, it } from "vitest";
import { auditEntries, buildApplication, buildCast, buildPacket, rpc, type Cast } from "../support/factories";
import { buildUser, withDatabase, type TestUser } from "../support/supabase";

/**
 * Issue 15, "The Board sees everything it decides on": applications take attachments with the same checks from the
 * bytes as EoI uploads, and a Board member who declared no conflict reads the EoI behind the packet and every file.
 */

let cast: Cast;
let chair: TestUser;
let member: TestUser;
let conflicted: TestUser;
let undeclared: TestUser;

const pdf = Buffer.from("%PDF-1.7\nletter of support\n").toString("base64");
const html = Buffer.from("<html><script>alert(1)</script></html>").toString("base64");

beforeAll(async () => {
  cast = await buildCast();
  [chair, member, conflicted, undeclared] = await Promise.all([
    buildUser(["board_member", "board_chair"], "Chair"),
    buildUser(["board_member"], "Member"),
    buildUser(["board_member"], "Conflicted"),
    buildUser(["board_member"], "Undeclared"),
  ]);
});

const attach = (who: TestUser, application: string, content_base64 = pdf, content_type = "application/pdf") =>
  who.client.rpc("add_application_attachment", {
    application,
    file_name: "letter-of-support.pdf",
    content_type,
    content_base64,
  });

describe("application attachments", () => {
  it("are uploaded by the applicant while the application is theirs to edit, checked from the bytes and audited", async () => {
    const { application } = await buildApplication(cast, "draft");
    const { data: id, error } = await attach(cast.applicant, application);
    expect(error).toBeNull();
    const stored = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select application_id, eoi_id, content_type, size_bytes from public.attachments where id = $1",
            [id],
          )
        ).rows[0],
    );
    expect(stored).toEqual({
      application_id: application,
      eoi_id: null,
      content_type: "application/pdf",
      size_bytes: 27,
    });

    // The type is read from the bytes: an HTML page called a PDF is refused, so is an empty file.
    expect((await attach(cast.applicant, application, html)).error?.hint).toBe("file_type_not_allowed");
    expect((await attach(cast.applicant, application, "")).error?.hint).toBe("file_empty");
    expect((await attach(cast.applicant, application, pdf, "image/png")).error?.hint).toBe("file_type_not_allowed");

    // Nobody else uploads, and nobody writes the tables directly.
    for (const other of [cast.outsider, cast.reviewer, cast.coordinator, cast.boardMember])
      expect((await attach(other, application)).error?.hint, other.id).toMatch(/^(not_allowed|not_found)$/);
    const direct = await cast.applicant.client.from("attachments").insert({
      application_id: application,
      file_name: "x.pdf",
      content_type: "application/pdf",
      size_bytes: 1,
      sha256: "a".repeat(64),
    });
    expect(direct.error?.code).toBe("42501");

    await rpc(cast.applicant.client, "remove_attachment", { attachment: id });
    expect((await auditEntries(application)).map((entry) => entry.action)).toEqual([
      "invite_application",
      "add_attachment",
      "remove_attachment",
    ]);
  });

  it("are refused once the application is submitted, and neither added nor removed then", async () => {
    const { application } = await buildApplication(cast, "draft");
    const id = await rpc<string>(cast.applicant.client, "add_application_attachment", {
      application,
      file_name: "host-agreement.pdf",
      content_type: "application/pdf",
      content_base64: pdf,
    });
    await rpc(cast.applicant.client, "submit_application", { application });
    expect((await attach(cast.applicant, application)).error?.hint).toBe("not_allowed");
    expect((await cast.applicant.client.rpc("remove_attachment", { attachment: id })).error?.hint).toBe("not_allowed");
    // The applicant and BDT still read it.
    for (const reader of [cast.applicant, cast.reviewer])
      expect(
        (await reader.client.from("attachment_contents").select("attachment_id").eq("attachment_id", id)).data,
      ).toEqual([{ attachment_id: id }]);
  });
});

describe("a Board packet's EoI and files", () => {
  it("are read by members who declared no conflict, never by the conflicted or the undeclared, through any table or embed", async () => {
    const { application, eoi } = await buildApplication(cast, "draft");
    const eoiFile = await withDatabase(
      async (db) =>
        (
          await db.query<{ id: string }>(
            `insert into public.attachments (eoi_id, file_name, content_type, size_bytes, sha256)
             values ($1, 'eoi-letter.pdf', 'application/pdf', 9, repeat('b', 64)) returning id`,
            [eoi],
          )
        ).rows[0]!.id,
    );
    await withDatabase((db) =>
      db.query("insert into public.attachment_contents (attachment_id, content) values ($1, '%PDF-1.7\n'::bytea)", [
        eoiFile,
      ]),
    );
    const applicationFile = await rpc<string>(cast.applicant.client, "add_application_attachment", {
      application,
      file_name: "host-agreement.pdf",
      content_type: "application/pdf",
      content_base64: pdf,
    });
    await rpc(cast.applicant.client, "submit_application", { application });
    await rpc(cast.reviewer.client, "start_bdt_review", { application });
    await rpc(cast.reviewer.client, "send_to_board", {
      application,
      recommendation: "Approve.",
      recommended_outcome: "approve",
    });
    const packet = await buildPacket(chair, application);

    const reads = async (who: TestUser) => ({
      eoi: (await who.client.from("eois").select("id, motivation").eq("id", eoi)).data?.length ?? 0,
      files: (
        await who.client
          .from("attachment_contents")
          .select("attachment_id")
          .in("attachment_id", [eoiFile, applicationFile])
      ).data?.length,
      meta: (await who.client.from("attachments").select("id").in("id", [eoiFile, applicationFile])).data?.length,
      embedded: (
        await who.client
          .from("centre_applications")
          .select("id, eoi:eois(id, attachments(id)), attachments(id)")
          .eq("id", application)
          .maybeSingle()
      ).data,
    });

    // Before any declaration, nothing.
    expect(await reads(member)).toEqual({ eoi: 0, files: 0, meta: 0, embedded: null });
    await rpc(member.client, "declare_conflict", { packet, has_conflict: false });
    await rpc(conflicted.client, "declare_conflict", { packet, has_conflict: true, reason: "I chair the host." });
    expect(await reads(member)).toEqual({
      eoi: 1,
      files: 2,
      meta: 2,
      embedded: {
        id: application,
        eoi: { id: eoi, attachments: [{ id: eoiFile }] },
        attachments: [{ id: applicationFile }],
      },
    });
    for (const outsider of [conflicted, undeclared])
      expect(await reads(outsider)).toEqual({ eoi: 0, files: 0, meta: 0, embedded: null });
    // BDT reads everything, as before.
    expect((await reads(cast.reviewer)).files).toBe(2);
  });
});
