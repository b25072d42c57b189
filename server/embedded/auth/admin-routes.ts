import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import type express from "express";
import type { Request } from "express";
import { z } from "zod";
import { AuthError, authErrors } from "./errors.js";
import { asyncRoute, BCRYPT_COST, MIN_PASSWORD_LENGTH, parse, queryText, type AuthRouteContext } from "./shared.js";
import type { AuthUserRow, OneTimeTokenType } from "./store.js";
import { newOtp, otpTokenHash } from "./tokens.js";
import { bannedUntilFor, emailField, optionalEmailField, parseBanDuration } from "./users.js";

/**
 * The admin API as GoTrue serves it under /admin (and /invite): for a token whose role is service_role or
 * supabase_admin. Covers supabase-js's auth.admin: listUsers, createUser, getUserById, updateUserById, deleteUser,
 * inviteUserByEmail and generateLink.
 */
const metadata = z.record(z.string(), z.unknown()).optional();
const inviteBody = z.object({ email: emailField, data: metadata });
const adminUserBody = z.object({
  email: optionalEmailField,
  password: z.string().max(72).optional(),
  password_hash: z.string().max(255).optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: metadata,
  app_metadata: metadata,
  ban_duration: z.string().max(64).optional(),
  role: z.string().max(255).optional(),
  phone: z.literal("").optional(),
});
const generateLinkBody = z.object({
  type: z.string(),
  email: emailField,
  new_email: optionalEmailField,
  password: z.string().max(72).optional(),
  data: metadata,
  redirect_to: z.string().max(2000).optional(),
});

/** GoTrue's offset pagination: unsigned integers only; 0 means the default, as its paginator treats it. */
function pagination(query: Request["query"]): { page: number; perPage: number } {
  const read = (name: string, fallback: number) => {
    const raw = query[name];
    if (raw === undefined || raw === "") return fallback;
    const text = queryText(raw);
    if (!/^\d+$/.test(text)) {
      throw authErrors.validation(
        `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`,
      );
    }
    return Number(text);
  };
  const page = read("page", 1);
  const perPage = read("per_page", 50);
  return { page: Math.max(1, page), perPage: perPage < 1 ? 20 : Math.min(perPage, 1000) };
}

function sortOrder(raw: unknown): "asc" | "desc" {
  if (raw === undefined || raw === "") return "desc";
  const match = /^created_at(?:\s+(asc|desc))?$/i.exec(queryText(raw).trim());
  if (!match)
    throw authErrors.validation(`Bad Sort Parameters: ${JSON.stringify(queryText(raw))} is not a valid sort field`);
  return (match[1]?.toLowerCase() as "asc" | "desc" | undefined) ?? "desc";
}

/** GoTrue's Link header: `next` while there are more pages, always `last`; paths as GoTrue sees them. */
function paginationLink(query: Request["query"], page: number, perPage: number, total: number): string {
  const lastPage = Math.ceil(total / perPage);
  const url = (target: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (typeof value === "string") params.set(key, value);
    params.set("page", String(target));
    params.set("per_page", String(perPage));
    params.sort();
    return `</admin/users?${params.toString()}>`;
  };
  return `${lastPage > page ? `${url(page + 1)}; rel="next", ` : ""}${url(lastPage)}; rel="last"`;
}

function passwordHashFrom(body: { password?: string; password_hash?: string }): Promise<string> | string | null {
  if (body.password !== undefined && body.password_hash !== undefined) {
    throw authErrors.validation("Only a password or a password hash should be provided");
  }
  if (body.password_hash !== undefined) {
    // Imported hashes must be bcrypt (as pgcrypto's crypt() and Supabase exports produce); argon2 and Firebase
    // scrypt hashes are not verified by this service.
    if (!/^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/.test(body.password_hash)) {
      throw authErrors.validation("Invalid password hash: only bcrypt hashes are supported");
    }
    return body.password_hash;
  }
  if (body.password !== undefined) {
    if (body.password.length < MIN_PASSWORD_LENGTH) throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
    return bcrypt.hash(body.password, BCRYPT_COST);
  }
  return null;
}

async function loadUser(ctx: AuthRouteContext, id: string | undefined): Promise<AuthUserRow> {
  if (!id || !z.uuid().safeParse(id).success) throw new AuthError(404, "validation_failed", "user_id must be an UUID");
  const user = await ctx.store.findUserById(id);
  if (!user) throw authErrors.userNotFound();
  return user;
}

export function registerAdminRoutes(router: express.Router, ctx: AuthRouteContext): void {
  const { store } = ctx;

  /** Invites by mail; an address whose invitation is still pending is invited again (GoTrue), a confirmed one is 422. */
  router.post(
    "/invite",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const body = parse(inviteBody, req.body);
      const existing = await store.findUserByEmail(body.email);
      if (existing?.email_confirmed_at) throw authErrors.emailExists();
      const user =
        existing ??
        (await store.createUser({
          email: body.email,
          passwordHash: null,
          confirmed: false,
          invited: true,
          userMetadata: body.data ?? {},
        }));
      await ctx.sendTokenMail(user, "confirmation_token", "invite", req.query.redirect_to);
      if (existing) await store.markInvited(user.id);
      res.json(await ctx.userResponse((await store.findUserById(user.id))!));
    }),
  );

  router.get(
    "/admin/users",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const order = sortOrder(req.query.sort);
      const { page, perPage } = pagination(req.query);
      const filter = typeof req.query.filter === "string" && req.query.filter !== "" ? req.query.filter : undefined;
      const { users, total } = await store.listUsers(page, perPage, order, filter);
      res.setHeader("link", paginationLink(req.query, page, perPage, total));
      res.setHeader("x-total-count", String(total));
      res.json({ users: await Promise.all(users.map(ctx.userResponse)), aud: "authenticated" });
    }),
  );

  router.post(
    "/admin/users",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const body = parse(adminUserBody, req.body);
      if (!body.email) throw authErrors.validation("Cannot create a user without either an email or phone");
      // An empty password at creation means none (GoTrue then sets a random one; we leave it unset).
      const passwordHash = await passwordHashFrom({ ...body, password: body.password || undefined });
      const banMs = parseBanDuration(body.ban_duration);
      if (await store.findUserByEmail(body.email)) throw authErrors.emailExists();
      const user = await store.createUser({
        email: body.email,
        passwordHash,
        confirmed: body.email_confirm ?? false,
        userMetadata: body.user_metadata ?? {},
        appMetadata: body.app_metadata,
        role: body.role || undefined,
        bannedUntil: bannedUntilFor(banMs),
      });
      res.json(await ctx.userResponse(user));
    }),
  );

  router.get(
    "/admin/users/:id",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      res.json(await ctx.userResponse(await loadUser(ctx, req.params.id)));
    }),
  );

  /**
   * GoTrue's adminUserUpdate: the address changes at once (no mail), a new password signs the user out everywhere
   * and voids pending links, metadata keys set to null are removed, ban_duration "none" lifts a ban.
   */
  router.put(
    "/admin/users/:id",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const user = await loadUser(ctx, req.params.id);
      const body = parse(adminUserBody, req.body);
      const banMs = parseBanDuration(body.ban_duration);
      const passwordHash = (await passwordHashFrom(body)) ?? undefined;
      const email = body.email && body.email !== user.email ? body.email : undefined;
      if (email && (await store.findUserByEmail(email))) throw authErrors.emailExists();
      await store.transaction(async (db) => {
        await store.updateUser(
          user.id,
          {
            passwordHash,
            email,
            confirm: body.email_confirm ?? false,
            role: body.role || undefined,
            userMetadata: body.user_metadata,
            appMetadata: body.app_metadata,
            bannedUntil: bannedUntilFor(banMs),
          },
          db,
        );
        if (passwordHash !== undefined) {
          await store.clearOneTimeTokens(user.id, db);
          await store.deleteSessions(user.id, "global", undefined, db);
        }
      });
      res.json(await ctx.userResponse((await store.findUserById(user.id))!));
    }),
  );

  router.delete(
    "/admin/users/:id",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const user = await loadUser(ctx, req.params.id);
      await store.deleteUser(user.id);
      res.json({});
    }),
  );

  /**
   * GoTrue's adminGenerateLink: the same token a mail would carry, returned instead of mailed. A magic link for an
   * unknown address signs them up; recovery and address changes need an existing user.
   */
  router.post(
    "/admin/generate_link",
    asyncRoute(async (req, res) => {
      await ctx.requireAdmin(req);
      const body = parse(generateLinkBody, req.body);
      const types = ["signup", "invite", "magiclink", "recovery", "email_change_current", "email_change_new"];
      if (!types.includes(body.type)) {
        throw authErrors.validation(`Invalid email action link type requested: ${body.type}`);
      }
      let type = body.type;
      let user = await store.findUserByEmail(body.email);
      let password = body.password;
      if (!user) {
        if (type === "magiclink") {
          type = "signup";
          password = randomBytes(32).toString("base64url");
        } else if (type === "recovery" || type.startsWith("email_change")) {
          throw new AuthError(404, "user_not_found", "User with this email not found");
        }
      }
      const otp = newOtp();
      let hashedToken = otpTokenHash(body.email, otp);
      let tokenType: OneTimeTokenType;
      let linkType = type;
      if (type === "signup" || type === "invite") {
        if (user?.email_confirmed_at) throw authErrors.emailExists();
        if (!user) {
          if (type === "signup" && (!password || password.length < MIN_PASSWORD_LENGTH)) {
            throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
          }
          user = await store.createUser({
            email: body.email,
            passwordHash: type === "signup" ? await bcrypt.hash(password!, BCRYPT_COST) : null,
            confirmed: false,
            invited: type === "invite",
            userMetadata: body.data ?? {},
          });
        } else if (type === "signup" && body.data) {
          user = await store.updateUser(user.id, { userMetadata: body.data });
        }
        if (type === "invite") await store.markInvited(user.id);
        tokenType = "confirmation_token";
      } else if (type === "magiclink" || type === "recovery") {
        tokenType = "recovery_token";
      } else {
        const newEmail = body.new_email;
        if (!newEmail) throw authErrors.validation("An email address is required");
        const holder = await store.findUserByEmail(newEmail);
        if (holder && holder.id !== user!.id) throw authErrors.emailExists();
        await store.startEmailChange(user!.id, newEmail);
        tokenType = type === "email_change_current" ? "email_change_token_current" : "email_change_token_new";
        // The new address's token is hashed with the new address, so the code typed with it verifies.
        if (type === "email_change_new") hashedToken = otpTokenHash(newEmail, otp);
        linkType = "email_change";
      }
      const target = user!;
      await store.saveOneTimeToken(
        target.id,
        tokenType,
        hashedToken,
        tokenType === "email_change_token_new" ? body.new_email! : target.email,
      );
      const redirectTo = body.redirect_to ?? ctx.options.siteUrl;
      const fresh = (await store.findUserById(target.id))!;
      res.json({
        ...(await ctx.userResponse(fresh)),
        action_link: ctx.confirmLink(hashedToken, linkType, redirectTo),
        email_otp: otp,
        hashed_token: hashedToken,
        verification_type: type,
        redirect_to: redirectTo,
      });
    }),
  );
}
