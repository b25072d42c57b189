-- Issue 18: the action plan is written in the language the application is written in. The template (headings and
-- guidance) is written by the collaboration server in this language the first time the plan is opened; until then
-- the applicant's institution or BDT may change it. Existing applications keep English, the language their
-- templates were written in.

alter table public.centre_applications
  add column plan_language text not null default 'en'
    constraint centre_applications_plan_language_check check (plan_language in ('en', 'fr', 'es', 'ar', 'ru', 'zh'));
comment on column public.centre_applications.plan_language is
  'The language of the action plan (ISO 639-1, one of the six ITU languages): its template and its text direction.';

/**
 * Sets the plan's language while the application is a draft and its plan has never been written (no stored update
 * or snapshot: the template is written once, in this language, on first open). Members of the applicant
 * institution and BDT may set it; the audit trail records the change.
 */
create function public.set_plan_language(application uuid, language text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
  plan uuid;
begin
  perform private.require_user();
  if language is null or language not in ('en', 'fr', 'es', 'ar', 'ru', 'zh') then
    perform private.fail('invalid_input', 'the plan language must be one of en, fr, es, ar, ru, zh');
  end if;
  row := private.lock_application(application);
  if not (private.is_member(row.organisation_id) or private.is_bdt()) then
    perform private.fail('not_allowed', 'only the institution or BDT chooses the plan language');
  end if;
  if row.status <> 'draft' then
    perform private.fail('application_not_editable', 'the plan language is chosen while the application is a draft');
  end if;
  select id into plan from public.action_plans where application_id = row.id;
  if exists (select 1 from private.plan_updates u where u.plan_id = plan)
     or exists (select 1 from private.plan_snapshots s where s.plan_id = plan) then
    perform private.fail('plan_started', 'the plan has been written already; its language is fixed');
  end if;
  if row.plan_language = language then return; end if;
  update public.centre_applications set plan_language = language where id = row.id;
  perform private.audit('application', row.id, row.organisation_id, 'set_plan_language', row.status::text,
                        row.status::text, null, jsonb_build_object('from', row.plan_language, 'to', language));
end
$$;
comment on function public.set_plan_language(uuid, text) is
  'Chooses the action plan''s language before its template is written (draft applications only).';
revoke execute on function public.set_plan_language(uuid, text) from public;
grant execute on function public.set_plan_language(uuid, text) to authenticated;

/** The language of a designated centre's plan, public like the plan itself (its page sets `lang` and `dir`). */
create function public.centre_plan_language(centre uuid) returns text
language sql stable security definer set search_path = '' as $$
  select a.plan_language from public.centres c join public.centre_applications a on a.id = c.application_id
  where c.id = centre and private.caller_is_active()
$$;
comment on function public.centre_plan_language(uuid) is 'The language of a designated centre''s approved plan.';
revoke execute on function public.centre_plan_language(uuid) from public;
grant execute on function public.centre_plan_language(uuid) to anon, authenticated;
