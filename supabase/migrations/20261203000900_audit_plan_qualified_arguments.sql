-- The amendments migration (20261203000200) joined plan_amendments into private.audit_plan, and plan_amendments has a
-- `reason` column: in an SQL function a column name wins over an argument of the same name, so every plan audit entry
-- (removing a comment, restoring a version, amendments themselves) recorded the amendment's reason, or null, instead
-- of the reason given. The arguments are now named by the function, so no column can shadow them.

/** Audit entries about a plan, or an amendment's document, filed under the centre's organisation. */
create or replace function private.audit_plan(plan uuid, action text, reason text, details jsonb) returns void
language sql security definer set search_path = '' as $$
  select private.audit('plan', audit_plan.plan, coalesce(a.organisation_id, m.organisation_id), audit_plan.action,
                       null, null, audit_plan.reason, audit_plan.details)
  from public.action_plans p
  left join public.centre_applications a on a.id = p.application_id
  left join public.plan_amendments m on m.plan_id = p.id
  where p.id = audit_plan.plan
$$;
revoke execute on function private.audit_plan(uuid, text, text, jsonb) from public;
