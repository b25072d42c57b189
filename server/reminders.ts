import type pg from "pg";

/**
 * The timed job behind the deadline reminders: due and overdue Board conditions (issue 15) and progress reports
 * (issue 16) notify the people concerned. Every server runs it beside the notification mailer; each database
 * function claims a reminder with `for update skip locked` and stamps it in the same statement, so however many
 * servers run it, each reminder goes out once.
 */
export class ReminderJob {
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
      .catch((error: Error) => this.log(`reminders: ${error.message}`))
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** Sends the reminders that are due (conditions, then progress reports); returns how many. */
  async runOnce(): Promise<number> {
    let sent = 0;
    for (const job of ["private.send_condition_reminders", "private.send_report_reminders"]) {
      const { rows } = await this.pool.query<{ sent: number }>(`select ${job}($1) as sent`, [this.warningDays]);
      sent += rows[0]?.sent ?? 0;
    }
    return sent;
  }
}
