import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpMailer } from "../../server/mailer";

interface Received {
  to: string[];
  raw: string;
}

let server: SMTPServer;
let port: number;
const received: Received[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((address) => address.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("mail over SMTP", () => {
  it("delivers a message, non-ASCII subject included, to a real SMTP server", async () => {
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, "Accelerator Network <no-reply@test.local>");
    await mailer.send({
      to: "grace@example.ke",
      subject: "Votre manifestation d'intérêt a été validée",
      text: "Ouvrir : https://example.org/eois/1",
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(["grace@example.ke"]);
    const parsed = await simpleParser(received[0]!.raw);
    expect(parsed.from?.text).toBe('"Accelerator Network" <no-reply@test.local>');
    expect(parsed.subject).toBe("Votre manifestation d'intérêt a été validée");
    expect(parsed.text?.trim()).toBe("Ouvrir : https://example.org/eois/1");
  });

  it("reports a delivery failure instead of losing the message silently", async () => {
    const mailer = new SmtpMailer("smtp://127.0.0.1:1", "no-reply@test.local");
    await expect(mailer.send({ to: "x@example.org", subject: "s", text: "t" })).rejects.toThrow();
  });
});
