import type pg from "pg";

/**
 * The timed job behind "due and overdue conditions notify the centre and BDT" (issue 15): every server runs it
 * beside the notification mailer; private.send_condition_reminders claims each reminder with `for update skip
 * locked` and stamps it in the same statement, so however many servers run it, each reminder goes out once.
 */
export class ConditionReminderJob {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: (message: string) => void,
    private readonly warningDays = 7,
  ) {}

  /** Runs now, then every `intervalMs` (hourly by default: due dates are days). */
  start(intervalMs = 60 * 60_000) {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  async stop() {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((error: Error) => this.log(`condition reminders: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** Sends the reminders that are due; returns how many. */
  async runOnce(): Promise<number> {
    const { rows } = await this.pool.query<{ sent: number }>("select private.send_condition_reminders($1) as sent", [
      this.warningDays,
    ]);
    return rows[0]?.sent ?? 0;
  }
}
