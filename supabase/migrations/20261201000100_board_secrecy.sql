-- Issue 10, "Board secrecy and integrity": a packet's content is read only after a "no conflict" declaration; the
-- audit of votes and declarations is read only by those who may read the vote or the declaration; a decided packet
-- and a closed review take no further vote, declaration or discussion; quorum progress only for members who may
-- see the packet.

-- board_packet_contents ------------------------------------------------------------------------------------------

-- board_packets is listed by every Board member (the agenda of a review); its content therefore lives in its own
-- table, readable under can_see_packet, so that no select=*, embed or view on board_packets can reach it.
create table public.board_packet_contents (
  packet_id uuid primary key references public.board_packets (id) on delete cascade,
  bdt_recommendation text check (char_length(bdt_recommendation) <= 20000),
  bdt_recommended_outcome public.vote_choice
);
comment on table public.board_packet_contents is
  'What BDT recommended to the Board for a packet, as sent; read only by members who declared no conflict, and BDT.';
alter table public.board_packet_contents enable row level security;
revoke all on public.board_packet_contents from anon, authenticated;
grant select on public.board_packet_contents to authenticated;

insert into public.board_packet_contents (packet_id, bdt_recommendation, bdt_recommended_outcome)
select p.id, p.bdt_recommendation, a.bdt_recommended_outcome
from public.board_packets p join public.centre_applications a on a.id = p.application_id;

alter table public.board_packets drop column bdt_recommendation;

-- permission helpers ---------------------------------------------------------------------------------------------

/**
 * A board member who declared "no conflict" on this packet may see its content, unless they declared a conflict on
 * another packet of the same application (a later review of the same applicant): a conflict is never forgotten.
 */
create or replace function private.can_see_packet(packet uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select private.is_board()
    and exists (select 1 from public.conflict_declarations d
                where d.packet_id = packet and d.member_id = (select auth.uid()) and not d.has_conflict)
    and not exists (select 1 from public.board_packets p
                    join public.board_packets same on same.application_id = p.application_id
                    join public.conflict_declarations d on d.packet_id = same.id
                    where p.id = packet and d.member_id = (select auth.uid()) and d.has_conflict)
$$;

/** A packet takes votes, declarations and discussion while its review is open, before its closing time and its decision. */
create function private.packet_is_open(packet uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
                 where p.id = packet and r.status = 'open' and now() <= r.closes_at)
     and not exists (select 1 from public.board_decisions d where d.packet_id = packet)
$$;
revoke execute on function private.packet_is_open(uuid) from public;
grant execute on function private.packet_is_open(uuid) to authenticated, service_role;

/**
 * Locks the packet (and shares the review's lock, so a concurrent close or decision waits or wins) and refuses any
 * write once the review is closed, past its closing time, or the packet decided.
 */
create or replace function private.lock_open_packet(packet uuid) returns public.board_reviews
language plpgsql security definer set search_path = '' as $$
declare
  review public.board_reviews;
begin
  select r.* into review from public.board_packets p join public.board_reviews r on r.id = p.review_id
  where p.id = packet for update of p for share of r;
  if not found then perform private.fail('not_found', 'no such packet'); end if;
  if review.status <> 'open' or now() > review.closes_at then
    perform private.fail('review_closed', 'the review is closed');
  end if;
  if exists (select 1 from public.board_decisions where packet_id = packet) then
    perform private.fail('packet_decided', 'the decision on this packet is recorded');
  end if;
  return review;
end
$$;
revoke execute on function private.lock_open_packet(uuid) from public;

-- frozen after the decision --------------------------------------------------------------------------------------

/** Backstop under the transition functions: no vote or declaration is written or changed on a decided packet. */
create function private.forbid_after_decision() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.board_decisions where packet_id = new.packet_id) then
    raise exception using errcode = 'P0001', message = 'the decision on this packet is recorded', hint = 'packet_decided';
  end if;
  return new;
end
$$;
revoke execute on function private.forbid_after_decision() from public;
create trigger votes_frozen_after_decision before insert or update on public.votes
  for each row execute function private.forbid_after_decision();
create trigger conflict_declarations_frozen_after_decision before insert or update on public.conflict_declarations
  for each row execute function private.forbid_after_decision();

-- The decision keeps the tally it was taken on (votes_counted, quorum_required): nobody rewrites it.
create trigger board_decisions_immutable before update or delete on public.board_decisions
  for each row execute function private.forbid_change('a Board decision is never rewritten', 'decision_immutable');
comment on table public.votes is 'One vote per member and packet, changeable until the review closes or the packet is decided.';

-- discussion -----------------------------------------------------------------------------------------------------

/**
 * A post to a packet's discussion waits for a concurrent close or decision (shared locks, as lock_open_packet) and
 * is refused, with the reason, once the packet is closed. Only for callers who may see the packet: for anyone else
 * the RLS policy refuses the row without telling why.
 */
create function private.check_packet_discussion_open() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  review public.board_reviews;
begin
  if new.packet_id is null or not private.can_see_packet(new.packet_id) then return new; end if;
  select r.* into review from public.board_packets p join public.board_reviews r on r.id = p.review_id
  where p.id = new.packet_id for share of p, r;
  if review.status <> 'open' or now() > review.closes_at then
    perform private.fail('review_closed', 'the review is closed');
  end if;
  if exists (select 1 from public.board_decisions where packet_id = new.packet_id) then
    perform private.fail('packet_decided', 'the decision on this packet is recorded');
  end if;
  return new;
end
$$;
revoke execute on function private.check_packet_discussion_open() from public;
create trigger comments_packet_discussion_open before insert on public.comments
  for each row when (new.packet_id is not null) execute function private.check_packet_discussion_open();

create policy "Nobody joins the discussion of a closed or decided packet" on public.comments
  as restrictive for insert to authenticated
  with check (packet_id is null or private.packet_is_open(packet_id));

-- policies -------------------------------------------------------------------------------------------------------

create policy "Members who declared no conflict, and BDT, read a packet's content" on public.board_packet_contents
  for select to authenticated using ((select private.is_bdt()) or private.can_see_packet(packet_id));

/** Who may read an audit entry about a vote or a conflict declaration: whoever may read the vote or declaration. */
create function private.can_read_board_audit(entity uuid, action text, actor uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select actor = (select auth.uid())
    or (action = 'declare_conflict' and private.has_role('board_chair'))
    or (action in ('cast_vote', 'change_vote') and private.can_see_votes(entity))
$$;
revoke execute on function private.can_read_board_audit(uuid, text, uuid) from public;
grant execute on function private.can_read_board_audit(uuid, text, uuid) to authenticated, service_role;

-- Restrictive: whatever else lets a person read the audit trail (BDT's policy included), entries about the Board's
-- votes and declarations stay with the people who may read the vote or the declaration.
create policy "The audit of votes and declarations stays with those who may read them" on public.audit_log
  as restrictive for select to authenticated
  using (entity_type <> 'board_packet' or private.can_read_board_audit(entity_id, action, actor_id));
create policy "Board members read the audit of the votes and declarations they may read" on public.audit_log
  for select to authenticated
  using (entity_type = 'board_packet' and private.can_read_board_audit(entity_id, action, actor_id));

-- transitions ----------------------------------------------------------------------------------------------------

create or replace function public.open_board_review(title text, closes_at timestamptz, applications uuid[],
                                                    quorum integer default null, allow_plan_editing boolean default false)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review uuid;
  packet uuid;
  app public.centre_applications;
begin
  if not private.has_role('board_chair') then perform private.fail('not_allowed', 'only the chair opens a review'); end if;
  if closes_at <= now() then perform private.fail('invalid_deadline', 'the review must close in the future'); end if;
  if coalesce(cardinality(applications), 0) = 0 then perform private.fail('reason_required', 'choose the packets'); end if;
  insert into public.board_reviews (title, closes_at, quorum, allow_plan_editing, opened_by)
  values (btrim(title), closes_at, quorum, allow_plan_editing, caller) returning id into review;
  for app in select * from public.centre_applications where id = any(applications) order by id for update loop
    if app.status <> 'board_review' then
      perform private.fail('invalid_transition', 'only applications sent to the Board can be reviewed');
    end if;
    if exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
               where p.application_id = app.id and r.status = 'open') then
      perform private.fail('invalid_transition', 'the application is already in an open review');
    end if;
    insert into public.board_packets (review_id, application_id, plan_version_id)
    values (review, app.id, app.sent_plan_version_id) returning id into packet;
    insert into public.board_packet_contents (packet_id, bdt_recommendation, bdt_recommended_outcome)
    values (packet, app.bdt_recommendation, app.bdt_recommended_outcome);
  end loop;
  if (select count(*) from public.board_packets where review_id = review) <> cardinality(applications) then
    perform private.fail('not_found', 'some applications do not exist');
  end if;
  perform private.audit('board_review', review, null, 'open_review', null, 'open', null,
                        jsonb_build_object('applications', applications, 'quorum', quorum, 'closes_at', closes_at));
  perform private.notify(private.users_with_role('board_member'), 'board_review_opened', 'board_review', review);
  return review;
end
$$;

/** Quorum progress (counts, never choices), for the members who may see the packet: declared, without a conflict. */
create or replace function public.packet_quorum_status(packet uuid) returns table (votes_counted integer, quorum_required integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_user();
  if not private.can_see_packet(packet) then
    perform private.fail('not_allowed', 'only members who declared no conflict follow the quorum');
  end if;
  return query select q.votes_counted, q.quorum_required from private.packet_quorum(packet) q;
end
$$;

/**
 * The agenda: every application that reached the Board, named (centre, host institution, country). Its status
 * tells the outcome once decided, so a member who may not see the application reads it only while it is before
 * the Board (null afterwards); BDT and the chair, who schedule reviews, always read it.
 */
create or replace function public.list_board_agenda()
returns table (application_id uuid, centre_name text, host_institution text, country_code text,
               status public.application_status, sent_at timestamptz, in_open_review boolean)
language plpgsql stable security definer set search_path = '' as $$
declare
  sees_all boolean := private.is_bdt() or private.has_role('board_chair');
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'Board and BDT only'); end if;
  return query
  select a.id, a.centre_name, o.name, o.country_code::text,
         case when sees_all or a.status = 'board_review' or private.can_see_application(a.id) then a.status end,
         v.created_at,
         exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
                 where p.application_id = a.id and r.status = 'open')
  from public.centre_applications a
  join public.organisations o on o.id = a.organisation_id
  join public.plan_versions v on v.id = a.sent_plan_version_id;
end
$$;
