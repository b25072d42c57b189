-- Issue 15: "if a condition needs plan changes, the response is an amendment". A response may now link a proposed
-- amendment of the same centre's plan (the database checks the centre; a withdrawn or rejected amendment answers
-- nothing). The condition page shows the amendment and its state; RLS on plan_amendments decides who reads it.

alter table public.condition_responses
  add column amendment_id uuid references public.plan_amendments (id);
comment on column public.condition_responses.amendment_id is
  'The amendment of the same centre''s plan that answers the condition, when it needs plan changes; or null.';
create index condition_responses_amendment_idx on public.condition_responses (amendment_id) where amendment_id is not null;

drop function public.respond_to_condition(uuid, text, jsonb);

/**
 * As before (20261203000100), and `amendment` may name an amendment of the same centre that answers the condition
 * (hint amendment_not_of_centre otherwise, or when it was withdrawn or rejected).
 */
create function public.respond_to_condition(condition uuid, body text, files jsonb default '[]',
                                            amendment uuid default null) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.decision_conditions;
  response uuid;
  file jsonb;
  stored jsonb := '[]';
begin
  row := private.lock_condition(respond_to_condition.condition);
  if not private.is_member(row.organisation_id) then
    perform private.fail('not_allowed', 'the centre''s people answer its conditions');
  end if;
  if row.status not in ('open', 'not_met') then
    perform private.fail('invalid_transition', 'only an open condition, or one not met, takes a response');
  end if;
  if coalesce(btrim(respond_to_condition.body), '') = '' then perform private.fail('reason_required', 'write the response'); end if;
  if char_length(respond_to_condition.body) > 20000 then perform private.fail('invalid_input', 'the response is too long'); end if;
  if files is not null and jsonb_typeof(files) <> 'array' then perform private.fail('invalid_input', 'files is a list'); end if;
  if jsonb_array_length(coalesce(files, '[]')) > 5 then perform private.fail('invalid_input', 'at most five files'); end if;
  if respond_to_condition.amendment is not null and not exists (
       select 1 from public.plan_amendments m
       where m.id = respond_to_condition.amendment and m.centre_id = row.centre_id
         and m.status not in ('withdrawn', 'rejected')) then
    perform private.fail('amendment_not_of_centre', 'the amendment is not one of this centre''s plan');
  end if;
  insert into public.condition_responses (condition_id, body, submitted_by, amendment_id)
  values (respond_to_condition.condition, btrim(respond_to_condition.body), caller, respond_to_condition.amendment)
  returning id into response;
  for file in select e.value from jsonb_array_elements(coalesce(files, '[]')) with ordinality e(value, i) order by e.i loop
    stored := stored || private.store_condition_attachment(response, file);
  end loop;
  update public.decision_conditions set status = 'responded' where id = respond_to_condition.condition;
  perform private.audit('condition', respond_to_condition.condition, row.organisation_id, 'respond_to_condition',
                        row.status::text, 'responded', null,
                        jsonb_build_object('response_id', response, 'attachments', stored,
                                           'amendment_id', respond_to_condition.amendment));
  perform private.notify(private.bdt_people(), 'condition_responded', 'condition', respond_to_condition.condition);
  return response;
end
$$;
revoke execute on function public.respond_to_condition(uuid, text, jsonb, uuid) from public, anon;
grant execute on function public.respond_to_condition(uuid, text, jsonb, uuid) to authenticated;
