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
  email_change: string | null;
  email_change_sent_at: Date | null;
  email_change_confirm_status: number | null;
  reauthentication_sent_at: Date | null;
}

export interface AuthIdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
  email: string | null;
}

/** Changes to a user; `undefined` leaves a field alone. Metadata keys whose value is null are deleted (GoTrue). */
export interface UserChanges {
  passwordHash?: string;
  userMetadata?: Record<string, unknown>;
  appMetadata?: Record<string, unknown>;
  confirm?: boolean;
  lastSignIn?: boolean;
  email?: string;
  role?: string;
  /** null lifts a ban; a Date bans until then. */
  bannedUntil?: Date | null;
}

export type OneTimeTokenType =
  | "confirmation_token"
  | "recovery_token"
  | "email_change_token_new"
  | "email_change_token_current"
  | "reauthentication_token";

type Queryable = pg.Pool | pg.PoolClient;

const userColumns = `id, aud, role, email, encrypted_password, email_confirmed_at, invited_at, confirmation_sent_at,
  recovery_sent_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until,
  deleted_at, nullif(email_change, '') as email_change, email_change_sent_at, email_change_confirm_status,
  reauthentication_sent_at`;

/** `jsonb || patch`, then the keys the patch sets to null removed, as GoTrue's UpdateUserMetaData does. */
const mergeMetadata = (column: string, param: string) =>
  `case when ${param}::jsonb is null then ${column} else
     (coalesce(${column}, '{}'::jsonb) || ${param}::jsonb)
       - array(select key from jsonb_each(${param}::jsonb) where value = 'null'::jsonb) end`;

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

  /** GoTrue's offset paging: newest first unless told otherwise, with the total for the X-Total-Count header. */
  async listUsers(
    page: number,
    perPage: number,
    order: "asc" | "desc" = "desc",
    filter?: string,
  ): Promise<{ users: AuthUserRow[]; total: number }> {
    const where = `deleted_at is null and ($3::text is null or email ilike '%' || $3 || '%'
      or raw_user_meta_data->>'full_name' ilike '%' || $3 || '%')`;
    const { rows } = await this.pool.query<AuthUserRow & { total: string }>(
      `select ${userColumns}, count(*) over () as total from auth.users where ${where}
       order by created_at ${order === "asc" ? "asc" : "desc"}, id limit $1 offset $2`,
      [perPage, (page - 1) * perPage, filter ?? null],
    );
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (!rows[0] && page > 1) {
      const counted = await this.pool.query<{ total: string }>(
        `select count(*) as total from auth.users where ${where.replaceAll("$3", "$1")}`,
        [filter ?? null],
      );
      total = Number(counted.rows[0]?.total ?? 0);
    }
    return { users: rows.map(({ total: _total, ...user }) => user), total };
  }

  async identitiesOf(userId: string, db: Queryable = this.pool): Promise<AuthIdentityRow[]> {
    const { rows } = await db.query<AuthIdentityRow>(
      `select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
       from auth.identities where user_id = $1 order by created_at`,
      [userId],
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
      role?: string;
      bannedUntil?: Date | null;
    },
    db: Queryable = this.pool,
  ): Promise<AuthUserRow> {
    const id = randomUUID();
    const appMetadata = Object.fromEntries(
      Object.entries({ provider: "email", providers: ["email"], ...input.appMetadata }).filter(
        ([, value]) => value !== null,
      ),
    );
    const userMetadata = Object.fromEntries(Object.entries(input.userMetadata).filter(([, value]) => value !== null));
    const { rows } = await db.query<AuthUserRow>(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
         raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_super_admin, is_anonymous, banned_until)
       values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', $8, lower($2), $3,
         case when $4 then now() end, case when $5 then now() end, $6, $7, now(), now(), false, false, $9)
       returning ${userColumns}`,
      [
        id,
        input.email,
        input.passwordHash,
        input.confirmed,
        input.invited ?? false,
        appMetadata,
        userMetadata,
        input.role ?? "authenticated",
        input.bannedUntil ?? null,
      ],
    );
    await db.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
       values ($1::text, $1::uuid, $2, 'email', now(), now())`,
      [id, { sub: id, email: input.email.toLowerCase(), email_verified: input.confirmed }],
    );
    return rows[0]!;
  }

  async updateUser(id: string, changes: UserChanges, db: Queryable = this.pool): Promise<AuthUserRow> {
    const { rows } = await db.query<AuthUserRow>(
      `update auth.users set
         encrypted_password = coalesce($2, encrypted_password),
         raw_user_meta_data = ${mergeMetadata("raw_user_meta_data", "$3")},
         email_confirmed_at = case when $4 then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
         last_sign_in_at = case when $5 then now() else last_sign_in_at end,
         raw_app_meta_data = ${mergeMetadata("raw_app_meta_data", "$6")},
         email = coalesce(lower($7), email),
         role = coalesce($8, role),
         banned_until = case when $9 then $10::timestamptz else banned_until end,
         updated_at = now()
       where id = $1 returning ${userColumns}`,
      [
        id,
        changes.passwordHash ?? null,
        changes.userMetadata ?? null,
        changes.confirm ?? false,
        changes.lastSignIn ?? false,
        changes.appMetadata ?? null,
        changes.email ?? null,
        changes.role ?? null,
        changes.bannedUntil !== undefined,
        changes.bannedUntil ?? null,
      ],
    );
    if (changes.email !== undefined || changes.confirm) {
      // The email identity follows the address and its confirmation, as GoTrue's identity_data does.
      await db.query(
        `update auth.identities set identity_data = identity_data
           || jsonb_build_object('email', lower(coalesce($2, identity_data->>'email')))
           || case when $3 then '{"email_verified": true}'::jsonb else '{}'::jsonb end,
           updated_at = now()
         where user_id = $1 and provider = 'email'`,
        [id, changes.email ?? null, changes.confirm ?? false],
      );
    }
    return rows[0]!;
  }

  /** A changed password makes every pending mail link and code useless (GoTrue's UpdatePassword). */
  async clearOneTimeTokens(userId: string, db: Queryable = this.pool): Promise<void> {
    await db.query("delete from auth.one_time_tokens where user_id = $1", [userId]);
    await db.query(
      `update auth.users set confirmation_sent_at = null, recovery_sent_at = null, email_change_sent_at = null,
         reauthentication_sent_at = null where id = $1`,
      [userId],
    );
  }

  /** Records a pending address change; the tokens themselves go to one_time_tokens. */
  async startEmailChange(userId: string, newEmail: string, db: Queryable = this.pool): Promise<void> {
    await db.query(
      `update auth.users set email_change = lower($2), email_change_sent_at = now(), email_change_confirm_status = 0,
         updated_at = now() where id = $1`,
      [userId, newEmail],
    );
  }

  async setEmailChangeConfirmStatus(userId: string, status: number, db: Queryable = this.pool): Promise<void> {
    await db.query("update auth.users set email_change_confirm_status = $2 where id = $1", [userId, status]);
  }

  /** Moves the pending address into place, confirms it, and drops every other pending token (ConfirmEmailChange). */
  async confirmEmailChange(userId: string, db: Queryable = this.pool): Promise<AuthUserRow> {
    const { rows } = await db.query<{ email_change: string }>(
      "select email_change from auth.users where id = $1 for update",
      [userId],
    );
    const newEmail = rows[0]?.email_change;
    await db.query(
      `update auth.users set email_change = '', email_change_sent_at = null, email_change_confirm_status = 0
       where id = $1`,
      [userId],
    );
    await db.query("delete from auth.one_time_tokens where user_id = $1", [userId]);
    return this.updateUser(userId, { email: newEmail || undefined, confirm: true }, db);
  }

  async markInvited(userId: string, db: Queryable = this.pool): Promise<void> {
    await db.query("update auth.users set invited_at = now() where id = $1", [userId]);
  }

  async markReauthenticationSent(userId: string, db: Queryable = this.pool): Promise<void> {
    await db.query("update auth.users set reauthentication_sent_at = now() where id = $1", [userId]);
  }

  async deleteUser(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("delete from auth.users where id = $1", [id]);
    return (rowCount ?? 0) > 0;
  }

  async createSession(
    userId: string,
    refreshToken: string,
    meta: { userAgent?: string; ip?: string; method?: string },
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
    if (meta.method) await this.addAmrClaim(sessionId, meta.method, db);
    return sessionId;
  }

  /** How the session was authenticated, kept for its life so refreshed tokens carry it (auth.mfa_amr_claims). */
  async addAmrClaim(sessionId: string, method: string, db: Queryable = this.pool): Promise<void> {
    await db.query(
      `insert into auth.mfa_amr_claims (id, session_id, authentication_method, created_at, updated_at)
       values ($1, $2, $3, now(), now())
       on conflict (session_id, authentication_method) do update set updated_at = now()`,
      [randomUUID(), sessionId, method],
    );
  }

  async amrClaims(sessionId: string, db: Queryable = this.pool): Promise<{ method: string; timestamp: number }[]> {
    const { rows } = await db.query<{ method: string; timestamp: number }>(
      `select authentication_method as method, extract(epoch from updated_at)::bigint::int as timestamp
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
      [sessionId],
    );
    return rows;
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
    const { rows } = await db.query<{
      id: string;
      user_id: string;
      revoked: boolean;
      session_id: string;
      updated_at: Date;
    }>("select id, user_id, revoked, session_id, updated_at from auth.refresh_tokens where token = $1 for update", [
      token,
    ]);
    return rows[0];
  }

  /** The session's newest unrevoked token (GoTrue's FindCurrentlyActiveRefreshToken). */
  async activeRefreshToken(
    sessionId: string,
    db: pg.PoolClient,
  ): Promise<{ token: string; parent: string | null } | undefined> {
    const { rows } = await db.query<{ token: string; parent: string | null }>(
      "select token, parent from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1",
      [sessionId],
    );
    return rows[0];
  }

  /** Reuse outside the interval: every token of the session is revoked; the session row itself stays (GoTrue). */
  async revokeTokenFamily(sessionId: string, db: pg.PoolClient): Promise<void> {
    await db.query(
      "update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false",
      [sessionId],
    );
  }

  async rotateRefreshToken(
    old: { id: string; token: string; userId: string; sessionId: string },
    next: string,
    db: pg.PoolClient,
  ): Promise<void> {
    // An already revoked token keeps its updated_at, so its reuse interval is not extended by reusing it.
    await db.query(
      "update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1 and revoked = false",
      [old.id],
    );
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

  async deleteSessions(
    userId: string,
    scope: "global" | "others",
    currentSessionId?: string,
    db: Queryable = this.pool,
  ): Promise<void> {
    if (scope === "global" || !currentSessionId) {
      await db.query("delete from auth.sessions where user_id = $1", [userId]);
    } else {
      await db.query("delete from auth.sessions where user_id = $1 and id <> $2", [userId, currentSessionId]);
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
    const sentColumn = { recovery_token: "recovery_sent_at", confirmation_token: "confirmation_sent_at" }[
      type as string
    ];
    if (sentColumn) await db.query(`update auth.users set ${sentColumn} = now() where id = $1`, [userId]);
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
