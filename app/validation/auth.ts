import { z } from "zod";

/** Messages are i18n keys: the page translates them. Shared by the forms, the actions and the tests. */
const email = z
  .string({ error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .max(254, "errors.tooLong")
  .pipe(z.email("errors.email"));

const newPassword = z
  .string({ error: "errors.required" })
  .min(1, "errors.required")
  .min(8, "errors.passwordTooShort")
  .max(72, "errors.passwordTooLong");

const redirectTo = z.string().max(2000).optional();

export const signInSchema = z.object({
  email,
  password: z.string({ error: "errors.required" }).min(1, "errors.required").max(1024, "errors.tooLong"),
  redirectTo,
});

export const signUpSchema = z.object({
  displayName: z.string({ error: "errors.required" }).trim().min(1, "errors.required").max(120, "errors.tooLong"),
  email,
  password: newPassword,
});

export const emailOnlySchema = z.object({ email });

export const newPasswordSchema = z
  .object({ password: newPassword, confirmPassword: z.string({ error: "errors.required" }).min(1, "errors.required") })
  .refine((value) => value.password === value.confirmPassword, {
    message: "errors.passwordsDiffer",
    path: ["confirmPassword"],
  });

export const confirmParamsSchema = z.object({
  token_hash: z.string().min(1).max(255),
  type: z.enum(["signup", "invite", "magiclink", "recovery", "email", "email_change"]),
  next: z.string().max(2000).optional(),
});

export type SignInInput = z.infer<typeof signInSchema>;
export type SignUpInput = z.infer<typeof signUpSchema>;
