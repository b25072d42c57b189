-- Plan comments (issue 10): anchors are checked for the exact shape the editor writes, and a comment can be
-- removed by its author or by BDT, through one audited function.

-- Anchors ----------------------------------------------------------------------------------------------------------
-- The editor sends {from, to}, each a Yjs relative position as Y.relativePositionToJSON writes it: exactly one of
-- `type` (an ID {client, clock}) or `tname` (the root fragment's name, "default"), an optional `item` ID, and
-- `assoc`. Anything else (nulls, extra keys, deep nesting, huge values) once made the plan page fail for everyone.

/** A whole JSON number within [low, high]; anything else (string, null, fraction) is false, never an error. */
create function private.json_integer_between(value jsonb, low numeric, high numeric) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  if jsonb_typeof(value) is distinct from 'number' then return false; end if;
  return (value #>> '{}')::numeric = trunc((value #>> '{}')::numeric) and (value #>> '{}')::numeric between low and high;
end
$$;

/** A Yjs ID: exactly {client, clock}; client ids are 32-bit, clocks fit a double exactly. */
create function private.valid_yjs_id(id jsonb) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  if jsonb_typeof(id) is distinct from 'object' then return false; end if;
  if (select array_agg(k order by k) from jsonb_object_keys(id) k) is distinct from array['client', 'clock'] then
    return false;
  end if;
  return private.json_integer_between(id -> 'client', 0, 4294967295)
    and private.json_integer_between(id -> 'clock', 0, 9007199254740991);
end
$$;

/** One relative position: keys among type, tname, item, assoc; exactly one of type and tname. */
create function private.valid_relative_position(pos jsonb) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  if jsonb_typeof(pos) is distinct from 'object' then return false; end if;
  if exists (select 1 from jsonb_object_keys(pos) k where k not in ('type', 'tname', 'item', 'assoc')) then return false; end if;
  if (pos ? 'type') = (pos ? 'tname') then return false; end if;
  if pos ? 'type' and not private.valid_yjs_id(pos -> 'type') then return false; end if;
  if pos ? 'tname' and pos -> 'tname' <> '"default"'::jsonb then return false; end if;
  if pos ? 'item' and not private.valid_yjs_id(pos -> 'item') then return false; end if;
  if pos ? 'assoc' and not private.json_integer_between(pos -> 'assoc', -2147483648, 2147483647) then return false; end if;
  return true;
end
$$;

/** A comment anchor: {from, to}, two relative positions, at most 1 KB of JSON (the editor's are about 200 bytes). */
create function private.valid_comment_anchor(anchor jsonb) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  -- Size first, so a huge or deeply nested value is refused before anything walks it.
  if anchor is null or octet_length(anchor::text) > 1024 or jsonb_typeof(anchor) <> 'object' then return false; end if;
  if (select array_agg(k order by k) from jsonb_object_keys(anchor) k) is distinct from array['from', 'to'] then
    return false;
  end if;
  return private.valid_relative_position(anchor -> 'from') and private.valid_relative_position(anchor -> 'to');
end
$$;
revoke execute on function private.json_integer_between(jsonb, numeric, numeric), private.valid_yjs_id(jsonb), private.valid_relative_position(jsonb),
  private.valid_comment_anchor(jsonb) from public;

-- Removed comments -------------------------------------------------------------------------------------------------
-- A removed comment stays in the table (the audit entry points at it) but nobody reads it through the API any more;
-- removing a thread removes its replies with it.

alter table public.plan_comments
  add column removed_at timestamptz,
  add column removed_by uuid references auth.users (id) on delete set null;
comment on column public.plan_comments.removed_at is 'Set when the author or BDT removed the comment; hidden from everyone.';
create index plan_comments_author_idx on public.plan_comments (author_id);

drop policy "People with access to a plan read its comments" on public.plan_comments;
create policy "People with access to a plan read its comments that were not removed" on public.plan_comments
  for select to authenticated using (removed_at is null and private.plan_access(plan_id) is not null);

/** Starts a thread on a range (anchor) or replies to one (parent); commenters and editors only. */
create or replace function public.add_plan_comment(plan uuid, body text, anchor jsonb default null, quote text default null,
                                                   parent bigint default null) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  thread public.plan_comments;
  new_id bigint;
begin
  if not private.may_comment_on_plan(plan) then
    perform private.fail('not_allowed', 'you may not comment on this plan');
  end if;
  if coalesce(btrim(body), '') = '' then perform private.fail('reason_required', 'write the comment'); end if;
  if char_length(body) > 10000 then perform private.fail('invalid_input', 'the comment is too long'); end if;
  if parent is not null then
    select * into thread from public.plan_comments c
    where c.id = parent and c.plan_id = plan and c.parent_id is null and c.removed_at is null;
    if not found then perform private.fail('not_found', 'no such thread'); end if;
  elsif anchor is null then
    perform private.fail('invalid_input', 'select the text to comment on');
  elsif not private.valid_comment_anchor(anchor) then
    perform private.fail('invalid_anchor', 'the anchor is not a pair of Yjs relative positions');
  end if;
  insert into public.plan_comments (plan_id, parent_id, author_id, body, anchor, quote)
  values (plan, parent, caller, btrim(body), case when parent is null then anchor end,
          case when parent is null then left(quote, 2000) end)
  returning id into new_id;
  perform private.audit_plan(plan, case when parent is null then 'start_comment_thread' else 'reply_comment' end,
                             null, jsonb_build_object('comment_id', new_id));
  return new_id;
end
$$;

/** Resolves a thread, or reopens it; a removed thread is gone. */
create or replace function public.resolve_plan_comment(comment bigint, resolved boolean) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  thread public.plan_comments;
begin
  if resolved is null then perform private.fail('invalid_input', 'say whether the thread is resolved'); end if;
  select * into thread from public.plan_comments c
  where c.id = comment and c.parent_id is null and c.removed_at is null for update;
  if not found or private.plan_access(thread.plan_id) is null then perform private.fail('not_found', 'no such thread'); end if;
  if not private.may_comment_on_plan(thread.plan_id) then
    perform private.fail('not_allowed', 'you may not resolve comments on this plan');
  end if;
  update public.plan_comments
  set resolved_at = case when resolved then now() end, resolved_by = case when resolved then caller end
  where id = comment;
  perform private.audit_plan(thread.plan_id, case when resolved then 'resolve_comment_thread' else 'reopen_comment_thread' end,
                             null, jsonb_build_object('comment_id', comment));
end
$$;

/**
 * Removes a comment (a thread with its replies). The author may while they may still comment on the plan; BDT
 * reviewers and coordinators who see the plan may at any time (a hostile or misplaced comment must be removable).
 */
create function public.remove_plan_comment(comment bigint, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.plan_comments;
  removed integer;
begin
  select * into row from public.plan_comments c where c.id = comment and c.removed_at is null for update;
  if not found or private.plan_access(row.plan_id) is null then perform private.fail('not_found', 'no such comment'); end if;
  if not (private.is_bdt() or (coalesce(row.author_id = caller, false) and private.may_comment_on_plan(row.plan_id))) then
    perform private.fail('not_allowed', 'only the author or BDT removes a comment');
  end if;
  update public.plan_comments c set removed_at = now(), removed_by = caller
  where (c.id = comment or c.parent_id = comment) and c.removed_at is null;
  get diagnostics removed = row_count;
  perform private.audit_plan(row.plan_id, case when row.parent_id is null then 'remove_comment_thread' else 'remove_comment' end,
                             reason, jsonb_build_object('comment_id', comment, 'author_id', row.author_id, 'comments_removed', removed));
end
$$;
revoke execute on function public.remove_plan_comment(bigint, text) from public, anon;
grant execute on function public.remove_plan_comment(bigint, text) to authenticated;

/** Names of the people who wrote a plan's versions and comments, for whoever may see the plan. */
create or replace function public.plan_people(plan uuid) returns table (id uuid, name text)
language sql stable security definer set search_path = '' as $$
  select p.id, coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1))
  from public.profiles p
  where private.plan_access(plan) is not null and p.id in (
    select v.created_by from public.plan_versions v where v.plan_id = plan
    union select c.author_id from public.plan_comments c where c.plan_id = plan and c.removed_at is null
    union select c.resolved_by from public.plan_comments c where c.plan_id = plan and c.removed_at is null)
$$;
