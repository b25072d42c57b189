import net from "node:net";
import { describe, expect, it } from "vitest";
import { findFreePort } from "../../server/embedded/free-port";
import { startPostgrestOnFreePorts } from "../../server/embedded/postgrest";
import { stack } from "../support/supabase";

describe("starting PostgREST", () => {
  it("starts again on other ports when the port it was given is taken before it binds", async () => {
    // What a restart after SIGKILL met: the probe released the port and something else took it first.
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const takenPort = (taken.address() as net.AddressInfo).port;
    const chosen: number[] = [];
    const lines: string[] = [];
    try {
      const postgrest = await startPostgrestOnFreePorts(
        {
          dbUri: stack().databaseUrl,
          jwtSecret: stack().jwtSecret,
          queryPlans: false,
          log: (line) => lines.push(line),
        },
        async () => {
          const port = chosen.length === 0 ? takenPort : await findFreePort();
          chosen.push(port);
          return port;
        },
      );
      try {
        expect(chosen.length).toBe(4);
        expect(lines.join("\n")).toMatch(/could not bind its port.*trying other ports/);
        expect(postgrest.url).toBe(`http://127.0.0.1:${chosen[2]}`);
        expect(await postgrest.isReady()).toBe(true);
      } finally {
        await postgrest.stop();
      }
    } finally {
      taken.close();
    }
  });
});
