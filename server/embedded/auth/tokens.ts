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
    sessionId: string;
    appMetadata: Record<string, unknown>;
    userMetadata: Record<string, unknown>;
    method: string;
  }): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.expirySeconds;
    const token = await new SignJWT({
      email: input.email,
      phone: "",
      app_metadata: input.appMetadata,
      user_metadata: input.userMetadata,
      role: "authenticated",
      aal: "aal1",
      amr: [{ method: input.method, timestamp: issuedAt }],
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

  /** Verifies signature and expiry; any failure is the same 401 a Supabase project answers. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"] });
      if (typeof payload.sub !== "string" && payload.role !== "service_role" && payload.role !== "anon") {
        throw authErrors.badJwt("invalid JWT: missing sub claim");
      }
      return payload as AccessTokenClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw authErrors.badJwt("invalid JWT: token is expired");
      if (error instanceof joseErrors.JOSEError) throw authErrors.badJwt();
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
