import { describe, expect, it } from "vitest";
import { isProcessAlive, waitForExit } from "../../server/embedded/processes";
import { spawnTiedChild } from "../../server/embedded/tied-child";

describe("a tied child", () => {
  it("reports the program's own exit at once, with its status, while our pipe is still open", async () => {
    const child = spawnTiedChild("/bin/sh", ["-c", "exit 3"], { stopSignal: "TERM" });
    // Before issue 11 the watchdog waited for our pipe to close, so a program that died at start went unnoticed.
    expect(await child.exited).toBe(3);
  });

  it("stops the program with its stop signal when asked, and waits for it", async () => {
    const child = spawnTiedChild("/bin/sleep", ["600"], { stopSignal: "TERM" });
    let pid: number | undefined;
    const deadline = Date.now() + 30_000;
    while (!(pid = child.pid()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pid && isProcessAlive(pid)).toBe(true);
    await child.stop(10_000);
    expect(await waitForExit(pid!, 10_000)).toBe(true);
  });

  it("stops the program when our end of the pipe closes, as when the server is killed", async () => {
    const child = spawnTiedChild("/bin/sleep", ["600"], { stopSignal: "TERM" });
    let pid: number | undefined;
    const deadline = Date.now() + 30_000;
    while (!(pid = child.pid()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    child.process.stdin?.destroy();
    expect(await waitForExit(pid!, 10_000)).toBe(true);
    await child.exited;
  });
});
