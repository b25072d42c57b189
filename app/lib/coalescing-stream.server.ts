import { Transform, type TransformCallback } from "node:stream";

/**
 * Gathers what React writes within one turn of the event loop into one chunk. React's stream writes a page in about
 * fifty small chunks, and Remix's Express adapter flushes the compressor after every chunk it writes, so a page was
 * compressed as fifty separate brotli flushes: in a CPU profile of the queue under load that was a sixth of the
 * server's time (issue 14). Written together, a page is compressed in one piece; anything React sends later (deferred
 * data, a Suspense boundary resolving) still goes out as soon as it is written.
 */
export class CoalescingStream extends Transform {
  private pending: Buffer[] = [];
  private scheduled = false;

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.release());
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.release();
    callback();
  }

  private release(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.push(chunk);
  }
}
