import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CoalescingStream } from "../../app/lib/coalescing-stream.server";
import { coalesceFlushes } from "../../server/compression";

function collect(stream: CoalescingStream): Buffer[] {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

describe("CoalescingStream (a page's many small writes compressed as one piece)", () => {
  it("passes what is written within one turn on as one chunk, in order", async () => {
    const stream = new CoalescingStream();
    const chunks = collect(stream);
    for (let i = 0; i < 50; i += 1) stream.write(`<p>${i}</p>`);
    await nextTurn();
    await nextTurn();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.toString()).toBe(Array.from({ length: 50 }, (_, i) => `<p>${i}</p>`).join(""));
  });

  it("still streams: what is written later leaves as soon as its own turn ends, and the end releases the rest", async () => {
    const stream = new CoalescingStream();
    const chunks = collect(stream);
    const ended = new Promise((resolve) => stream.on("end", resolve));
    stream.write("shell");
    await nextTurn();
    await nextTurn();
    expect(chunks.map(String)).toEqual(["shell"]);
    stream.write("deferred ");
    stream.write("data");
    stream.end("!");
    await ended;
    expect(chunks.map(String)).toEqual(["shell", "deferred data!"]);
  });
});

describe("coalesceFlushes (Remix flushes the compressor after every chunk)", () => {
  function response() {
    const res = { writableEnded: false, flushes: 0, flush: () => undefined as void };
    res.flush = () => {
      res.flushes += 1;
    };
    return res;
  }

  it("makes the flushes asked for within one turn into one, after that turn's writes", async () => {
    const res = response();
    let nextCalled = false;
    coalesceFlushes()({} as never, res as never, () => (nextCalled = true));
    expect(nextCalled).toBe(true);
    for (let i = 0; i < 40; i += 1) res.flush();
    expect(res.flushes).toBe(0);
    await nextTurn();
    expect(res.flushes).toBe(1);
    res.flush();
    await nextTurn();
    expect(res.flushes).toBe(2);
  });

  it("does not flush a response that has ended meanwhile (the end sent everything)", async () => {
    const res = response();
    coalesceFlushes()({} as never, res as never, () => undefined);
    res.flush();
    res.writableEnded = true;
    await nextTurn();
    expect(res.flushes).toBe(0);
  });
});
