import { randomUUID } from "node:crypto";
import type pg from "pg";

export interface AuthUserRow {
  id: string;
  aud: string;
  role: string;
  email: string;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  recovery_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  banned_until: Date | number | null;
  deleted_at: Date | null;
}

export type OneTimeTokenType = "confirmation_token" | "recovery_token";

type Queryable = pg.Pool | pg.PoolClient;

const userColumns = `id, aud, role, email, encrypted_password, email_confirmed_at, invited_at, confirmation_sent_at,
  recovery_sent_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until,
  deleted_at`;

/** The rows of the `auth` schema that the auth service reads and writes; SQL stays here, rules in the router. */
export class AuthStore {
  constructor(readonly pool: pg.Pool) {}

  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async findUserByEmail(email: string, db: Queryable = this.pool): Promise<AuthUserRow | undefined> {
    const { rows } = await db.query<AuthUserRow>(
      `select ${userColumns} from auth.users where lower(email) = lower($1) and deleted_at is null`,
      [email],
    );
    return rows[0];
  }

  async findUserById(id: string, db: Queryable = this.pool): Promise<AuthUserRow | undefined> {
    const { rows } = await db.query<AuthUserRow>(
      `select ${userColumns} from auth.users where id = $1 and deleted_at is null`,
      [id],
    );
    return rows[0];
  }

  async listUsers(page: number, perPage: number): Promise<AuthUserRow[]> {
    const { rows } = await this.pool.query<AuthUserRow>(
      `select ${userColumns} from auth.users where deleted_at is null order by created_at limit $1 offset $2`,
      [perPage, (page - 1) * perPage],
    );
    return rows;
  }

  async createUser(
    input: {
      email: string;
      passwordHash: string | null;
      confirmed: boolean;
      invited?: boolean;
      userMetadata: Record<string, unknown>;
      appMetadata?: Record<string, unknown>;
    },
    db: Queryable = this.pool,
  ): Promise<AuthUserRow> {
    const id = randomUUID();
    const appMetadata = { provider: "email", providers: ["email"], ...input.appMetadata };
    const { rows } = await db.query<AuthUserRow>(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
         raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_super_admin, is_anonymous)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', lower($2), $3,
         case when $4 then now() end, case when $5 then now() end, $6, $7, now(), now(), false, false)
       returning ${userColumns}`,
      [id, input.email, input.passwordHash, input.confirmed, input.invited ?? false, appMetadata, input.userMetadata],
    );
    await db.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
       values ($1::text, $1::uuid, $2, 'email', now(), now())`,
      [id, { sub: id, email: input.email.toLowerCase(), email_verified: input.confirmed }],
    );
    return rows[0]!;
  }

  async updateUser(
    id: string,
    changes: { passwordHash?: string; userMetadata?: Record<string, unknown>; confirm?: boolean; lastSignIn?: boolean },
    db: Queryable = this.pool,
  ): Promise<AuthUserRow> {
    const { rows } = await db.query<AuthUserRow>(
      `update auth.users set
         encrypted_password = coalesce($2, encrypted_password),
         raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || coalesce($3::jsonb, '{}'::jsonb),
         email_confirmed_at = case when $4 then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
         last_sign_in_at = case when $5 then now() else last_sign_in_at end,
         updated_at = now()
       where id = $1 returning ${userColumns}`,
      [id, changes.passwordHash ?? null, changes.userMetadata ?? null, changes.confirm ?? false, changes.lastSignIn ?? false],
    );
    return rows[0]!;
  }

  async deleteUser(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("delete from auth.users where id = $1", [id]);
    return (rowCount ?? 0) > 0;
  }

  async createSession(
    userId: string,
    refreshToken: string,
    meta: { userAgent?: string; ip?: string },
    db: Queryable = this.pool,
  ): Promise<string> {
    const sessionId = randomUUID();
    await db.query(
      `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
       values ($1, $2, now(), now(), 'aal1', $3, $4)`,
      [sessionId, userId, meta.userAgent ?? null, meta.ip ?? null],
    );
    await db.query(
      `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
       values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), null, $3)`,
      [refreshToken, userId, sessionId],
    );
    return sessionId;
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    const { rows } = await this.pool.query("select 1 from auth.sessions where id = $1", [sessionId]);
    return rows.length > 0;
  }

  /** Locks the refresh token row, so two concurrent refreshes of one token are serialised. */
  async lockRefreshToken(
    token: string,
    db: pg.PoolClient,
  ): Promise<{ id: string; user_id: string; revoked: boolean; session_id: string; updated_at: Date } | undefined> {
    const { rows } = await db.query(
      "select id, user_id, revoked, session_id, updated_at from auth.refresh_tokens where token = $1 for update",
      [token],
    );
    return rows[0];
  }

  async activeChildToken(parent: string, db: pg.PoolClient): Promise<string | undefined> {
    const { rows } = await db.query<{ token: string }>(
      "select token from auth.refresh_tokens where parent = $1 and revoked = false order by id desc limit 1",
      [parent],
    );
    return rows[0]?.token;
  }

  async rotateRefreshToken(
    old: { id: string; token: string; userId: string; sessionId: string },
    next: string,
    db: pg.PoolClient,
  ): Promise<void> {
    await db.query("update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1", [old.id]);
    await db.query(
      `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
       values ('00000000-0000-0000-0000-000000000000', $1, $2, false, now(), now(), $3, $4)`,
      [next, old.userId, old.token, old.sessionId],
    );
    await db.query("update auth.sessions set refreshed_at = now(), updated_at = now() where id = $1", [old.sessionId]);
  }

  async deleteSession(sessionId: string, db: Queryable = this.pool): Promise<void> {
    await db.query("delete from auth.sessions where id = $1", [sessionId]);
  }

  async deleteSessions(userId: string, scope: "global" | "others", currentSessionId?: string): Promise<void> {
    if (scope === "global") {
      await this.pool.query("delete from auth.sessions where user_id = $1", [userId]);
    } else {
      await this.pool.query("delete from auth.sessions where user_id = $1 and id <> $2", [userId, currentSessionId]);
    }
  }

  async saveOneTimeToken(
    userId: string,
    type: OneTimeTokenType,
    tokenHash: string,
    relatesTo: string,
    db: Queryable = this.pool,
  ): Promise<void> {
    await db.query(
      `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
       values ($1, $2, $3, $4, $5, now(), now())
       on conflict (user_id, token_type) do update
         set token_hash = excluded.token_hash, relates_to = excluded.relates_to, created_at = now(), updated_at = now()`,
      [randomUUID(), userId, type, tokenHash, relatesTo],
    );
    const sentColumn = type === "recovery_token" ? "recovery_sent_at" : "confirmation_sent_at";
    await db.query(`update auth.users set ${sentColumn} = now() where id = $1`, [userId]);
  }

  /** Deletes and returns a token in one statement, so a link works exactly once even when clicked twice at once. */
  async consumeOneTimeToken(
    tokenHash: string,
    types: OneTimeTokenType[],
    maxAgeSeconds: number,
    db: Queryable = this.pool,
  ): Promise<{ user_id: string; token_type: OneTimeTokenType } | undefined> {
    const { rows } = await db.query<{ user_id: string; token_type: OneTimeTokenType; fresh: boolean }>(
      `delete from auth.one_time_tokens where token_hash = $1 and token_type = any($2::auth.one_time_token_type[])
       returning user_id, token_type, created_at > now() - make_interval(secs => $3) as fresh`,
      [tokenHash, types, maxAgeSeconds],
    );
    const row = rows[0];
    return row?.fresh ? { user_id: row.user_id, token_type: row.token_type } : undefined;
  }
}
