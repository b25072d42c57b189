import { createHash, randomBytes, randomInt } from "node:crypto";
import { jwtVerify, SignJWT, errors as joseErrors, type JWTPayload } from "jose";
import { authErrors } from "./errors.js";

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  role: string;
  email?: string;
  session_id?: string;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(
    jwtSecret: string,
    private readonly issuer: string,
    readonly expirySeconds: number,
  ) {
    this.key = new TextEncoder().encode(jwtSecret);
  }

  /** The claims Supabase Auth puts in an access token, so RLS policies written for Supabase work unchanged. */
  async signAccessToken(input: {
    userId: string;
    email: string;
    /** auth.users.role, which GoTrue puts in the token (admins may set it; "authenticated" by default). */
    role: string;
    sessionId: string;
    appMetadata: Record<string, unknown>;
    userMetadata: Record<string, unknown>;
    /** How and when the session was authenticated; GoTrue keeps these for the session's life. */
    amr: { method: string; timestamp: number }[];
  }): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.expirySeconds;
    const token = await new SignJWT({
      email: input.email,
      phone: "",
      app_metadata: input.appMetadata,
      user_metadata: input.userMetadata,
      role: input.role,
      aal: "aal1",
      amr: input.amr,
      session_id: input.sessionId,
      is_anonymous: false,
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(this.issuer)
      .setSubject(input.userId)
      .setAudience("authenticated")
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Verifies signature and expiry; any failure is the 403 bad_jwt GoTrue answers. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"] });
      if (
        typeof payload.sub !== "string" &&
        !["service_role", "supabase_admin", "anon"].includes(String(payload.role))
      ) {
        throw authErrors.badJwt("invalid claim: missing sub claim");
      }
      return payload as AccessTokenClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw authErrors.badJwt(
          "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired",
        );
      }
      if (error instanceof joseErrors.JOSEError) {
        throw authErrors.badJwt("invalid JWT: unable to parse or verify signature, token signature is invalid");
      }
      throw error;
    }
  }
}

export function newRefreshToken(): string {
  return randomBytes(24).toString("base64url");
}

export function newOtp(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** Supabase Auth's token hash: sha224 of email + code, so a link and a typed code find the same token. */
export function otpTokenHash(email: string, otp: string): string {
  return createHash("sha224").update(`${email.toLowerCase()}${otp}`).digest("hex");
}
