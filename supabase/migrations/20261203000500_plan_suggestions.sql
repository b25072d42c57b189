-- Suggestion mode (issue 18). Suggested insertions and deletions are marks in the plan's document
-- (`suggestionInsert` / `suggestionDelete`, each with an id, an author and a time), written through the collaboration
-- server, which accepts from a comment-only socket nothing but its own person's marks. The database counts the open
-- suggestions from the stored JSON copy (action_plans.content, written by the collaboration server from the Yjs
-- document; the app writes it at once before a plan is sent or decided), never from a number a client sends.

/** The distinct ids of the suggestion marks in a plan's ProseMirror JSON. */
create function private.open_suggestion_ids(doc jsonb) returns text[]
language sql immutable set search_path = '' as $$
  select coalesce(array_agg(distinct mark -> 'attrs' ->> 'id') filter (where mark -> 'attrs' ->> 'id' is not null), '{}')
  from jsonb_path_query(coalesce(doc, '{}'::jsonb),
                        'strict $.**.marks[*] ? (@.type == "suggestionInsert" || @.type == "suggestionDelete")',
                        silent => true) as mark
$$;
revoke execute on function private.open_suggestion_ids(jsonb) from public;

/**
 * A plan is neither sent to the Board nor approved (frozen) while suggestions are open, in the version being recorded
 * or in the live plan: the transition (send_to_board, record_decision) fails and names how many (the DETAIL).
 */
create function private.refuse_open_suggestions() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  open_count integer;
begin
  if new.kind not in ('sent_to_board', 'approved') then return new; end if;
  select cardinality(array(
    select distinct id from unnest(private.open_suggestion_ids(new.content)
                                   || private.open_suggestion_ids((select p.content from public.action_plans p
                                                                  where p.id = new.plan_id))) as id))
  into open_count;
  if open_count > 0 then
    raise exception using errcode = 'P0001', hint = 'suggestions_open', detail = open_count::text,
      message = format('%s suggestion(s) are still open in the plan: accept or reject them first', open_count);
  end if;
  return new;
end
$$;
revoke execute on function private.refuse_open_suggestions() from public;

create trigger plan_versions_refuse_open_suggestions
  before insert on public.plan_versions
  for each row execute function private.refuse_open_suggestions();

/**
 * Records that the caller accepted or rejected suggestions (issue 18). Called by the app right before the
 * collaboration server applies the decision to the document: it checks edit rights and that every id is an open
 * suggestion in the stored copy of the plan (which the app writes first), and writes one audit entry per suggestion
 * with its author and kind read from that copy, not from the caller.
 */
create function public.record_suggestion_decision(plan uuid, decision text, suggestions text[]) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  doc jsonb;
  org uuid;
  suggestion text;
  found jsonb;
  recorded integer := 0;
begin
  perform private.require_user();
  if decision not in ('accept', 'reject') then perform private.fail('invalid_input', 'accept or reject'); end if;
  if private.plan_access(plan) is distinct from 'edit' then
    perform private.fail('not_allowed', 'only editors accept or reject suggestions');
  end if;
  if coalesce(cardinality(suggestions), 0) = 0 or cardinality(suggestions) > 500 then
    perform private.fail('invalid_input', 'name between 1 and 500 suggestions');
  end if;
  select p.content, a.organisation_id into doc, org
  from public.action_plans p join public.centre_applications a on a.id = p.application_id
  where p.id = plan for update of p;
  foreach suggestion in array (select array(select distinct unnest(suggestions))) loop
    select mark into found
    from jsonb_path_query(coalesce(doc, '{}'::jsonb),
                          'strict $.**.marks[*] ? ((@.type == "suggestionInsert" || @.type == "suggestionDelete") && @.attrs.id == $id)',
                          jsonb_build_object('id', suggestion), silent => true) as mark
    limit 1;
    if found is null then
      perform private.fail('suggestion_not_found', format('suggestion %s is not open in this plan', suggestion));
    end if;
    perform private.audit('plan', plan, org, decision || '_suggestion', 'suggested',
                          case decision when 'accept' then 'accepted' else 'rejected' end, null,
                          jsonb_build_object('suggestion_id', suggestion,
                                             'kind', case found ->> 'type' when 'suggestionInsert' then 'insert' else 'delete' end,
                                             'author_id', found -> 'attrs' ->> 'author',
                                             'suggested_at', found -> 'attrs' ->> 'at'));
    recorded := recorded + 1;
  end loop;
  return recorded;
end
$$;
revoke execute on function public.record_suggestion_decision(uuid, text, text[]) from public, anon;
grant execute on function public.record_suggestion_decision(uuid, text, text[]) to authenticated;
