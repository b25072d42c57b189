-- Issue 17: the "@" picker offers exactly the people a mention would reach. Until now the composer offered every
-- Board member (a superset, so as not to reveal declarations) while the notification ignored the non-readers: a
-- member who declared a conflict on the packet was offered, and a mention of them silently went nowhere. Now the
-- Board side of both lists is private.comment_audience, the function that decides who is notified, so what is
-- offered and what is accepted can never disagree. A member learns which colleagues may read the packet, not why
-- the others may not (a conflict and a declaration not yet made look the same).

/**
 * Whom the composer offers for "@name" in a thread the caller may read, never the caller: for a plan, its
 * organisation's members and BDT staff, plus (for Board and BDT callers) the Board members who may read the plan;
 * for a packet, the members who may read it (declared no conflict). Board readers come from
 * private.comment_audience, evaluated as each candidate; volatile because that function swaps the request's claims.
 */
create or replace function public.mentionable_people(plan uuid default null, packet uuid default null)
returns table (id uuid, display_name text)
language plpgsql volatile security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  organisation uuid;
  staff boolean := private.is_bdt() or private.is_board();
  board_readers uuid[];
begin
  if num_nonnulls(mentionable_people.plan, mentionable_people.packet) <> 1 then
    perform private.fail('invalid_input', 'name one thread');
  end if;
  if mentionable_people.plan is not null then
    if private.plan_access(mentionable_people.plan) is null then perform private.fail('not_found', 'no such plan'); end if;
    select a.organisation_id into organisation
    from public.action_plans p join public.centre_applications a on a.id = p.application_id
    where p.id = mentionable_people.plan;
  elsif not private.can_see_packet(mentionable_people.packet) then
    perform private.fail('not_found', 'no such packet');
  end if;
  if mentionable_people.packet is not null or staff then
    select coalesce(array_agg(a.person_id), '{}') into board_readers
    from private.comment_audience(mentionable_people.plan, mentionable_people.packet, '') a;
  end if;
  return query
  select distinct pr.id, pr.display_name
  from public.profiles pr
  join auth.users u on u.id = pr.id and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  where pr.id <> caller and btrim(pr.display_name) <> ''
    and (
      (mentionable_people.plan is not null and (
        exists (select 1 from public.organisation_members m where m.organisation_id = organisation and m.user_id = pr.id)
        or exists (select 1 from public.role_grants g where g.user_id = pr.id and g.role in ('reviewer', 'coordinator'))
        or (staff and pr.id = any (board_readers)
            and exists (select 1 from public.role_grants g where g.user_id = pr.id and g.role in ('board_member', 'board_chair')))))
      or (mentionable_people.packet is not null and pr.id = any (board_readers)))
  order by pr.display_name;
end
$$;
revoke execute on function public.mentionable_people(uuid, uuid) from public, anon;
grant execute on function public.mentionable_people(uuid, uuid) to authenticated;
