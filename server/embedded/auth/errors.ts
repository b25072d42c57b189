/**
 * Errors in the shape Supabase Auth sends (API version 2024-01-01): `code` is the stable error code that
 * `supabase-js` exposes as `error.code`, `msg` the English message it exposes as `error.message`.
 */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toJSON() {
    return { code: this.code, error_code: this.code, msg: this.message, ...this.extra };
  }
}

export const authErrors = {
  validation: (message: string) => new AuthError(400, "validation_failed", message),
  invalidCredentials: () => new AuthError(400, "invalid_credentials", "Invalid login credentials"),
  emailNotConfirmed: () => new AuthError(400, "email_not_confirmed", "Email not confirmed"),
  userExists: () => new AuthError(422, "user_already_exists", "User already registered"),
  weakPassword: (minLength: number) =>
    new AuthError(422, "weak_password", `Password should be at least ${minLength} characters.`, {
      weak_password: { reasons: ["length"] },
    }),
  badJwt: (message = "invalid JWT: unable to parse or verify signature") => new AuthError(403, "bad_jwt", message),
  noAuthorization: () => new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token"),
  sessionNotFound: () => new AuthError(403, "session_not_found", "Session from session_id claim in JWT does not exist"),
  userNotFound: () => new AuthError(404, "user_not_found", "User not found"),
  /** The user named by a valid access token no longer exists (GoTrue's maybeLoadUserOrSession). */
  tokenUserGone: () => new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist"),
  emailExists: () => new AuthError(422, "email_exists", "A user with this email address has already been registered"),
  samePassword: () => new AuthError(422, "same_password", "New password should be different from the old password."),
  invalidNonce: () => new AuthError(422, "reauthentication_not_valid", "Nonce has expired or is invalid"),
  otpInvalid: () => new AuthError(403, "otp_expired", "Token has expired or is invalid"),
  notAdmin: () => new AuthError(403, "not_admin", "User not allowed"),
  refreshTokenNotFound: () =>
    new AuthError(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"),
  refreshTokenReused: () => new AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"),
  otpExpired: () => new AuthError(403, "otp_expired", "Email link is invalid or has expired"),
  otpSignupsDisabled: () => new AuthError(422, "otp_disabled", "Signups not allowed for otp"),
  userBanned: () => new AuthError(403, "user_banned", "User is banned"),
  rateLimited: (retryAfterSeconds: number) =>
    new AuthError(429, "over_request_rate_limit", "Request rate limit reached", { retry_after: retryAfterSeconds }),
  emailRateLimited: (seconds: number) =>
    new AuthError(
      429,
      "over_email_send_rate_limit",
      `For security purposes, you can only request this after ${seconds} seconds.`,
    ),
  grantUnsupported: () => new AuthError(400, "validation_failed", "unsupported_grant_type"),
};
