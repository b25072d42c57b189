/**
 * A connection's message budget: a token bucket holding up to `burst` messages, refilled at `perSecond`. Time is
 * passed in (milliseconds, e.g. performance.now()), so the arithmetic is tested without a clock.
 */
export class MessageBudget {
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.lastRefill = now;
  }

  /** Spends one message; false when the budget is exhausted (the socket is closed with 4429). */
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
