import { describe, expect, it } from "vitest";
import { FailureBackoff, RateLimiter } from "../../server/embedded/auth/rate-limit";

// Time is passed in explicitly: these check the arithmetic, never a clock.
describe("FailureBackoff", () => {
  it("lets the free failures pass, then blocks for twice as long after each further failure, up to the cap", () => {
    const backoff = new FailureBackoff(3, 30_000, 240_000);
    const t0 = 1_000_000;
    backoff.fail("a|client", t0);
    backoff.fail("a|client", t0);
    expect(backoff.retryAfter("a|client", t0)).toBe(0);
    backoff.fail("a|client", t0);
    expect(backoff.retryAfter("a|client", t0)).toBe(30);
    backoff.fail("a|client", t0 + 30_000);
    expect(backoff.retryAfter("a|client", t0 + 30_000)).toBe(60);
    backoff.fail("a|client", t0 + 90_000);
    expect(backoff.retryAfter("a|client", t0 + 90_000)).toBe(120);
    backoff.fail("a|client", t0 + 210_000);
    backoff.fail("a|client", t0 + 210_000);
    expect(backoff.retryAfter("a|client", t0 + 210_000)).toBe(240);
  });

  it("keeps keys apart, forgets after a quiet period, and resets on success", () => {
    const backoff = new FailureBackoff(1, 30_000, 900_000, 60_000);
    backoff.fail("a|stranger", 0);
    expect(backoff.retryAfter("a|stranger", 0)).toBe(30);
    expect(backoff.retryAfter("a|owner", 0)).toBe(0);
    backoff.fail("a|stranger", 100_000);
    expect(backoff.retryAfter("a|stranger", 100_000)).toBe(30);
    backoff.reset("a|stranger");
    expect(backoff.retryAfter("a|stranger", 100_000)).toBe(0);
  });
});

describe("RateLimiter.take", () => {
  it("counts up to the limit per key and window", () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.take("otp:1.2.3.4", 0)).toBe(0);
    expect(limiter.take("otp:1.2.3.4", 0)).toBe(0);
    expect(limiter.take("otp:1.2.3.4", 1_000)).toBe(59);
    expect(limiter.take("otp:5.6.7.8", 1_000)).toBe(0);
    expect(limiter.take("otp:1.2.3.4", 60_000)).toBe(0);
  });
});
