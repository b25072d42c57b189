-- One live EoI per institution and call (issue 10): an institution with a draft, submitted, under-validation,
-- clarification, resubmitted or validated EoI for a call cannot start another one for that call. Withdrawn and
-- declined EoIs do not count, so an institution may start again after withdrawing or being declined.

-- Duplicates made before this rule: the most advanced (then oldest) live EoI of each institution and call stays;
-- the others are withdrawn, with an audit entry that says why, so the unique index below can be built.
with ranked as (
  select e.id, e.organisation_id, e.status,
         row_number() over (
           partition by e.organisation_id, e.call_id
           order by array_position(array['validated', 'under_validation', 'clarification_requested', 'resubmitted',
                                         'submitted', 'draft']::public.eoi_status[], e.status), e.created_at, e.id) as rank,
         first_value(e.id) over (
           partition by e.organisation_id, e.call_id
           order by array_position(array['validated', 'under_validation', 'clarification_requested', 'resubmitted',
                                         'submitted', 'draft']::public.eoi_status[], e.status), e.created_at, e.id) as kept
  from public.eois e
  where e.status not in ('withdrawn', 'declined')
), withdrawn as (
  update public.eois e set status = 'withdrawn', decided_at = now()
  from ranked r where r.id = e.id and r.rank > 1
  returning e.id, e.organisation_id, r.status as from_status, r.kept
)
select private.audit('eoi', w.id, w.organisation_id, 'withdraw', w.from_status::text, 'withdrawn',
                     'Duplicate: one live EoI per institution and call', jsonb_build_object('kept_eoi_id', w.kept))
from withdrawn w;

create unique index eois_one_live_per_call_idx on public.eois (organisation_id, call_id)
  where status not in ('withdrawn', 'declined');
comment on index public.eois_one_live_per_call_idx is
  'One live EoI per institution and call; withdrawn and declined ones do not count (issue 10).';

/**
 * Starts a draft EoI. Refused with `eoi_exists` (the live EoI's id in DETAIL, so the app can link to it) when the
 * institution already has a live EoI for the call; the unique index settles two concurrent starts the same way.
 */
create or replace function public.create_eoi(call uuid, organisation uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  new_id uuid;
  existing uuid;
  call_row public.calls;
begin
  if not private.is_member(organisation) then
    perform private.fail('not_allowed', 'only members of the organisation start its EoIs');
  end if;
  select * into call_row from public.calls where id = call;
  if not found or call_row.status = 'draft' then perform private.fail('not_found', 'no such call'); end if;
  select e.id into existing from public.eois e
  where e.organisation_id = organisation and e.call_id = call and e.status not in ('withdrawn', 'declined');
  if existing is not null then
    raise exception using errcode = 'P0001', message = 'this institution already has an EoI for this call',
      hint = 'eoi_exists', detail = existing::text;
  end if;
  if call_row.status <> 'open' or now() > private.call_deadline(call, organisation) then
    perform private.fail('call_closed', 'the call is closed');
  end if;
  begin
    insert into public.eois (call_id, organisation_id, created_by, contact_email)
    values (call, organisation, caller, (select email from auth.users where id = caller))
    returning id into new_id;
  exception when unique_violation then
    select e.id into existing from public.eois e
    where e.organisation_id = organisation and e.call_id = call and e.status not in ('withdrawn', 'declined');
    raise exception using errcode = 'P0001', message = 'this institution already has an EoI for this call',
      hint = 'eoi_exists', detail = coalesce(existing::text, '');
  end;
  perform private.audit('eoi', new_id, organisation, 'create_eoi', null, 'draft', null);
  return new_id;
end
$$;
