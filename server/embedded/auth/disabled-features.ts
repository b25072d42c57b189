import express, { type NextFunction, type Request, type Response } from "express";
import { AuthError } from "./errors.js";

/**
 * What this service does not offer (OAuth providers, MFA, phone, SSO/SAML, anonymous and Web3 sign-in) answers
 * exactly as Supabase Auth answers when the feature is turned off in a project, so supabase-js reports the same
 * `error.code` here as there. The messages and codes are GoTrue's (internal/api/*.go, v2.18x).
 */
export const disabledErrors = {
  providerNotEnabled: () => new AuthError(400, "validation_failed", "Unsupported provider: provider is not enabled"),
  oidcProviderNotEnabled: (issuer: string) =>
    new AuthError(400, "provider_disabled", `Provider (issuer "${issuer}") is not enabled`),
  anonymousDisabled: () => new AuthError(422, "anonymous_provider_disabled", "Anonymous sign-ins are disabled"),
  phoneSignupDisabled: () => new AuthError(400, "phone_provider_disabled", "Phone signups are disabled"),
  phoneOtpDisabled: () => new AuthError(400, "phone_provider_disabled", "Unsupported phone provider"),
  phoneLoginDisabled: () => new AuthError(422, "phone_provider_disabled", "Phone logins are disabled"),
  web3Disabled: () => new AuthError(422, "web3_provider_disabled", "Web3 provider is disabled"),
  samlDisabled: () => new AuthError(404, "saml_provider_disabled", "SAML 2.0 is disabled"),
  mfaEnrollDisabled: (factorType: unknown) => {
    if (factorType === "phone")
      return new AuthError(422, "mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone");
    if (factorType === "webauthn") {
      return new AuthError(422, "mfa_webauthn_enroll_not_enabled", "MFA enroll is disabled for WebAuthn");
    }
    return new AuthError(422, "mfa_totp_enroll_not_enabled", "MFA enroll is disabled for TOTP");
  },
  mfaFactorNotFound: () => new AuthError(404, "mfa_factor_not_found", "Factor not found"),
  mfaFactorIdInvalid: () => new AuthError(404, "validation_failed", "factor_id must be an UUID"),
  manualLinkingDisabled: () => new AuthError(404, "manual_linking_disabled", "Manual linking is disabled"),
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const hasText = (value: unknown) => typeof value === "string" && value.trim() !== "";

/**
 * Checks on requests to endpoints this service does implement, for the variants it does not: phone numbers on
 * /signup, /otp and the password grant, and a /signup with neither email nor phone (anonymous sign-in).
 * Returns the error to answer, or undefined to go on.
 */
export function disabledVariant(path: string, query: Request["query"], body: unknown): AuthError | undefined {
  const record = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  if (path === "/signup") {
    if (hasText(record.phone) && !hasText(record.email)) return disabledErrors.phoneSignupDisabled();
    if (!hasText(record.phone) && !hasText(record.email)) return disabledErrors.anonymousDisabled();
  }
  if (path === "/otp" && hasText(record.phone) && !hasText(record.email)) return disabledErrors.phoneOtpDisabled();
  if (path === "/token") {
    if (query.grant_type === "password" && hasText(record.phone) && !hasText(record.email)) {
      return disabledErrors.phoneLoginDisabled();
    }
    if (query.grant_type === "web3") return disabledErrors.web3Disabled();
    if (query.grant_type === "id_token") {
      return disabledErrors.oidcProviderNotEnabled(typeof record.provider === "string" ? record.provider : "");
    }
  }
  return undefined;
}

/**
 * The endpoints of the features we leave out. `requireUser` guards the MFA routes as GoTrue's
 * requireAuthentication does (a signed-out call gets 401 first).
 */
export function disabledFeaturesRouter(requireUser: (req: Request) => Promise<unknown>): express.Router {
  const router = express.Router();
  const route =
    (handler: (req: Request) => Promise<AuthError> | AuthError) =>
    (req: Request, _res: Response, next: NextFunction) => {
      Promise.resolve(handler(req)).then(next, next);
    };
  router.use((req, _res, next) => next(disabledVariant(req.path, req.query, req.body)));
  // OAuth: signInWithOAuth / linkIdentity send the browser to /authorize.
  router.get(
    "/authorize",
    route(() => disabledErrors.providerNotEnabled()),
  );
  // Linking and unlinking identities (linkIdentity, unlinkIdentity), off as in a default project.
  router.all(
    ["/user/identities/authorize", "/user/identities/:identityId"],
    route(async (req) => {
      await requireUser(req);
      return disabledErrors.manualLinkingDisabled();
    }),
  );
  // MFA: enroll, challenge, verify and unenroll.
  router.post(
    "/factors",
    route(async (req) => {
      await requireUser(req);
      return disabledErrors.mfaEnrollDisabled((req.body as Record<string, unknown> | undefined)?.factor_type);
    }),
  );
  router.all(
    ["/factors/:factorId", "/factors/:factorId/*"],
    route(async (req) => {
      await requireUser(req);
      return uuidPattern.test(req.params.factorId ?? "")
        ? disabledErrors.mfaFactorNotFound()
        : disabledErrors.mfaFactorIdInvalid();
    }),
  );
  // SSO (SAML): signInWithSSO posts to /sso.
  router.all(
    ["/sso", "/sso/*"],
    route(() => disabledErrors.samlDisabled()),
  );
  return router;
}
