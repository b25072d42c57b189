-- Notifications people can steer (issue 17): comments on a plan or a Board packet notify the people concerned,
-- `@name` mentions notify that person (only people who may read the thread), each person chooses per kind of
-- notification how it is mailed (immediately, in a daily digest, or not), dates in mails follow the person's time
-- zone, and deadlines are offered as iCalendar (a personal feed behind a secret whose hash alone is stored).

-- The person's time zone -------------------------------------------------------------------------------------------

alter table public.profiles add column time_zone text not null default 'UTC'
  constraint profiles_time_zone_length check (char_length(time_zone) between 1 and 64);
comment on column public.profiles.time_zone is 'IANA zone in which mails show dates (UTC until the person chooses).';

/** Whether PostgreSQL knows the zone (so `at time zone` can never fail on a stored value). */
create function private.is_time_zone(zone text) returns boolean
language sql stable security definer set search_path = '' as $$
  select zone is not null and char_length(zone) <= 64 and exists (select 1 from pg_catalog.pg_timezone_names where name = zone)
$$;
revoke execute on function private.is_time_zone(text) from public;

/** The caller's time zone, for mails and the digest's day. */
create function public.set_my_time_zone(zone text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
begin
  if not private.is_time_zone(zone) then perform private.fail('invalid_time_zone', 'unknown time zone'); end if;
  update public.profiles set time_zone = zone where id = caller;
end
$$;

-- Kinds of notification, as people choose them ---------------------------------------------------------------------

create type public.notification_delivery as enum ('immediately', 'daily_digest', 'no_mail');

/** The kind a person steers: mentions, comments, EoIs, applications, the Board, and everything else. */
create function private.notification_category(kind text) returns text
language sql immutable set search_path = '' as $$
  select case
    when kind = 'mention' then 'mention'
    when kind in ('plan_comment', 'packet_comment') then 'comment'
    when kind like 'eoi%' then 'eoi'
    when kind like 'application%' then 'application'
    when kind like 'board%' then 'board'
    else 'other'
  end
$$;
revoke execute on function private.notification_category(text) from public;

create table public.notification_preferences (
  person_id uuid not null references auth.users (id) on delete cascade,
  category text not null
    constraint notification_preferences_category_check check (category in ('mention', 'comment', 'eoi', 'application', 'board', 'other')),
  delivery public.notification_delivery not null,
  updated_at timestamptz not null default now(),
  primary key (person_id, category)
);
comment on table public.notification_preferences is
  'How each person wants each kind of notification mailed; no row means immediately. In-app notifications always appear.';
alter table public.notification_preferences enable row level security;
revoke all on public.notification_preferences from anon, authenticated;
grant select on public.notification_preferences to authenticated;
create policy "People read their own notification preferences" on public.notification_preferences
  for select to authenticated using (person_id = (select auth.uid()));
create policy "Deactivated accounts read and write nothing" on public.notification_preferences as restrictive
  for all to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

create function public.set_notification_preference(category text, delivery public.notification_delivery) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
begin
  if category is null or category not in ('mention', 'comment', 'eoi', 'application', 'board', 'other') then
    perform private.fail('invalid_input', 'unknown kind of notification');
  end if;
  if delivery is null then perform private.fail('invalid_input', 'choose how to be told'); end if;
  insert into public.notification_preferences as p (person_id, category, delivery)
  values (caller, set_notification_preference.category, set_notification_preference.delivery)
  on conflict on constraint notification_preferences_pkey do update set delivery = excluded.delivery, updated_at = now();
end
$$;

-- The daily digest ------------------------------------------------------------------------------------------------

create table public.notification_digests (
  id bigint generated always as identity primary key,
  person_id uuid not null references auth.users (id) on delete cascade,
  -- The person's own day: one digest per person per day, whichever server gets there first (the unique key).
  digest_date date not null,
  time_zone text not null,
  state text not null default 'pending'
    constraint notification_digests_state_check check (state in ('pending', 'sending', 'sent', 'failed')),
  attempts integer not null default 0 constraint notification_digests_attempts_check check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  constraint notification_digests_one_a_day unique (person_id, digest_date)
);
comment on table public.notification_digests is
  'One mail a day per person listing the notifications they chose to receive in a digest; claimed like single mails.';
alter table public.notification_digests enable row level security;
create index notification_digests_due_idx on public.notification_digests (next_attempt_at) where state in ('pending', 'sending');
revoke all on public.notification_digests from anon, authenticated;
grant select on public.notification_digests to authenticated;
create policy "People read their own digests" on public.notification_digests
  for select to authenticated using (person_id = (select auth.uid()));
create policy "Deactivated accounts read and write nothing" on public.notification_digests as restrictive
  for all to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

alter table public.notifications drop constraint notifications_mail_state_check;
alter table public.notifications add constraint notifications_mail_state_check
  check (mail_state in ('pending', 'sending', 'sent', 'failed', 'digest', 'digested', 'skipped'));
alter table public.notifications add column digest_id bigint references public.notification_digests (id) on delete set null;
comment on column public.notifications.mail_state is
  'pending: to send (at mail_next_attempt_at); sending: claimed by a sender until mail_lease_until; sent (emailed_at); '
  'failed: gave up after the last retry; digest: waits for the next daily digest; digested: in digest_id; skipped: the person wants no mail.';
create index notifications_digest_waiting_idx on public.notifications (recipient_id) where mail_state = 'digest';
create index notifications_digest_idx on public.notifications (digest_id) where digest_id is not null;

/** A new notification is mailed as its recipient chose for its kind (immediately when they chose nothing). */
create function private.route_notification_mail() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  chosen public.notification_delivery;
begin
  if new.mail_state <> 'pending' then return new; end if;
  select p.delivery into chosen from public.notification_preferences p
  where p.person_id = new.recipient_id and p.category = private.notification_category(new.kind);
  new.mail_state := case chosen when 'daily_digest' then 'digest' when 'no_mail' then 'skipped' else 'pending' end;
  return new;
end
$$;
revoke execute on function private.route_notification_mail() from public;
create trigger notifications_route_mail before insert on public.notifications
  for each row execute function private.route_notification_mail();

/**
 * For the mailer (never for callers of the API): opens today's digest for each person whose local time has reached
 * `send_hour` and who has notifications waiting, and moves exactly those notifications into it, in one statement.
 * The unique (person, day) key makes a second server's insert a no-op, so it moves nothing: one digest a day.
 * Notifications arriving later wait for the next day's digest. Returns how many digests were opened.
 */
create function private.open_due_digests(send_hour integer) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  opened integer;
begin
  with waiting as (
    select n.recipient_id as person_id, p.time_zone, (now() at time zone p.time_zone)::date as local_day
    from public.notifications n join public.profiles p on p.id = n.recipient_id
    where n.mail_state = 'digest' and extract(hour from now() at time zone p.time_zone) >= send_hour
    group by n.recipient_id, p.time_zone
  ), opened_digests as (
    insert into public.notification_digests (person_id, digest_date, time_zone)
    select person_id, local_day, time_zone from waiting
    on conflict (person_id, digest_date) do nothing
    returning id, person_id
  ), moved as (
    update public.notifications n set mail_state = 'digested', digest_id = d.id
    from opened_digests d where n.recipient_id = d.person_id and n.mail_state = 'digest'
    returning d.id
  )
  select count(distinct id) into opened from moved;
  return opened;
end
$$;
revoke execute on function private.open_due_digests(integer) from public, anon, authenticated, service_role;

-- Whom a comment concerns -----------------------------------------------------------------------------------------

/** Whether `body` mentions `name` as "@name", not followed by a letter or digit (so "@Ana" is not "@Anabel"). */
create function private.mentions(body text, name text) returns boolean
language plpgsql immutable set search_path = '' as $$
declare
  haystack text := lower(body);
  needle text := '@' || lower(btrim(name));
  at integer;
  next_char text;
begin
  if coalesce(btrim(name), '') = '' then return false; end if;
  loop
    at := strpos(haystack, needle);
    if at = 0 then return false; end if;
    next_char := substr(haystack, at + char_length(needle), 1);
    if next_char = '' or next_char !~ '[[:alnum:]_]' then return true; end if;
    haystack := substr(haystack, at + 1);
  end loop;
end
$$;
revoke execute on function private.mentions(text, text) from public;

/**
 * The people a comment on a plan or a packet concerns, with whether they may read it and whether they take part:
 * for a plan, its organisation's members, the EoI's assigned reviewer, earlier commenters on the plan and the Board
 * members who declared no conflict on its packets; for a packet, the members who declared no conflict; for both,
 * anyone named "@name" in `body`. Reading is then decided by the same functions as RLS (private.plan_access,
 * private.can_see_packet), evaluated as each candidate, as private.collab_plan_access does; the caller's claims are
 * restored afterwards. Deactivated people read nothing (the helpers check it), so they are never notified.
 */
create function private.comment_audience(plan uuid, packet uuid, body text)
returns table (person_id uuid, concerned boolean, mentioned boolean)
language plpgsql volatile security definer set search_path = '' as $$
declare
  saved text := current_setting('request.jwt.claims', true);
  saved_sub text := current_setting('request.jwt.claim.sub', true);
  candidate record;
  level public.plan_access_level;
  app public.centre_applications;
begin
  if plan is not null then
    select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan;
  end if;
  for candidate in
    with involved as (
      select m.user_id from public.organisation_members m where plan is not null and m.organisation_id = app.organisation_id
      union
      select e.assigned_reviewer_id from public.eois e where plan is not null and e.id = app.eoi_id
      union
      select c.author_id from public.plan_comments c where plan is not null and c.plan_id = plan and c.removed_at is null
      union
      select d.member_id from public.conflict_declarations d join public.board_packets bp on bp.id = d.packet_id
      where not d.has_conflict and ((plan is not null and bp.application_id = app.id) or bp.id = packet)
    ), named as (
      select pr.id as user_id from public.profiles pr
      where strpos(body, '@') > 0 and private.mentions(body, pr.display_name)
    )
    select u.user_id, bool_or(u.is_involved) as is_involved, bool_or(not u.is_involved) as is_named
    from (select user_id, true as is_involved from involved union all select user_id, false from named) u
    where u.user_id is not null
    group by u.user_id
  loop
    perform set_config('request.jwt.claims', json_build_object('sub', candidate.user_id, 'role', 'authenticated')::text, true);
    perform set_config('request.jwt.claim.sub', candidate.user_id::text, true);
    if plan is not null then
      level := private.plan_access(plan);
      if level is not null then
        person_id := candidate.user_id;
        concerned := candidate.is_involved and level in ('comment', 'edit');
        mentioned := candidate.is_named;
        return next;
      end if;
    elsif private.can_see_packet(packet) then
      person_id := candidate.user_id;
      concerned := candidate.is_involved;
      mentioned := candidate.is_named;
      return next;
    end if;
  end loop;
  perform set_config('request.jwt.claims', coalesce(saved, ''), true);
  perform set_config('request.jwt.claim.sub', coalesce(saved_sub, ''), true);
end
$$;
revoke execute on function private.comment_audience(uuid, uuid, text) from public, anon, authenticated, service_role;

/**
 * Notifies the people a new comment concerns, never its author: a reader mentioned by "@name" gets a 'mention'; the
 * other readers who take part get `kind`. A mention of anyone who may not read the thread is ignored.
 */
create function private.notify_comment(plan uuid, packet uuid, comment_id bigint, author uuid, body text, kind text)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  entity_type text := case when plan is not null then 'plan' else 'board_packet' end;
  payload jsonb := jsonb_build_object(
    'comment_id', comment_id,
    'author', (select p.display_name from public.profiles p where p.id = author),
    'excerpt', left(regexp_replace(btrim(body), '\s+', ' ', 'g'), 200));
  mentioned uuid[];
  concerned uuid[];
begin
  select coalesce(array_agg(a.person_id) filter (where a.mentioned), '{}'),
         coalesce(array_agg(a.person_id) filter (where a.concerned and not a.mentioned), '{}')
  into mentioned, concerned
  from private.comment_audience(plan, packet, body) a
  where a.person_id is distinct from author;
  perform private.notify(mentioned, 'mention', entity_type, coalesce(plan, packet), payload);
  perform private.notify(concerned, kind, entity_type, coalesce(plan, packet), payload);
end
$$;
revoke execute on function private.notify_comment(uuid, uuid, bigint, uuid, text, text) from public, anon, authenticated, service_role;

create function private.notify_plan_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.notify_comment(new.plan_id, null, new.id, new.author_id, new.body, 'plan_comment');
  return null;
end
$$;
revoke execute on function private.notify_plan_comment() from public;
create trigger plan_comments_notify after insert on public.plan_comments
  for each row execute function private.notify_plan_comment();

create function private.notify_packet_comment() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.notify_comment(null, new.packet_id, new.id, new.author_id, new.body, 'packet_comment');
  return null;
end
$$;
revoke execute on function private.notify_packet_comment() from public;
create trigger comments_notify_packet after insert on public.comments
  for each row when (new.packet_id is not null) execute function private.notify_packet_comment();

/**
 * Whom the composer offers for "@name" in a thread the caller may read: for a plan, its organisation's members and
 * BDT staff, plus the Board for Board and BDT callers; for a packet, the Board. The list is a superset of the
 * readers on purpose (it must not reveal who declared a conflict); the database ignores mentions of non-readers.
 */
create function public.mentionable_people(plan uuid default null, packet uuid default null)
returns table (id uuid, display_name text)
language plpgsql stable security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  organisation uuid;
  staff boolean := private.is_bdt() or private.is_board();
begin
  if num_nonnulls(plan, packet) <> 1 then perform private.fail('invalid_input', 'name one thread'); end if;
  if plan is not null then
    if private.plan_access(plan) is null then perform private.fail('not_found', 'no such plan'); end if;
    select a.organisation_id into organisation
    from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan;
  elsif not private.can_see_packet(packet) then
    perform private.fail('not_found', 'no such packet');
  end if;
  return query
  select distinct pr.id, pr.display_name
  from public.profiles pr
  join auth.users u on u.id = pr.id and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  where pr.id <> caller and btrim(pr.display_name) <> ''
    and (
      (plan is not null and (
        exists (select 1 from public.organisation_members m where m.organisation_id = organisation and m.user_id = pr.id)
        or exists (select 1 from public.role_grants g where g.user_id = pr.id and g.role in ('reviewer', 'coordinator'))
        or (staff and exists (select 1 from public.role_grants g where g.user_id = pr.id and g.role in ('board_member', 'board_chair')))))
      or (packet is not null and exists (
        select 1 from public.role_grants g where g.user_id = pr.id and g.role in ('board_member', 'board_chair'))))
  order by pr.display_name;
end
$$;

-- Calendar feeds --------------------------------------------------------------------------------------------------

create table public.calendar_feeds (
  person_id uuid primary key references auth.users (id) on delete cascade,
  -- sha256 (hex) of the secret in the feed's address; the secret itself is shown once and never stored.
  token_hash text not null unique constraint calendar_feeds_token_hash_check check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now()
);
comment on table public.calendar_feeds is 'A person''s calendar feed: the hash of its secret address; resetting replaces it.';
alter table public.calendar_feeds enable row level security;
revoke all on public.calendar_feeds from anon, authenticated;
grant select (person_id, created_at) on public.calendar_feeds to authenticated;
create policy "People read whether they have a calendar feed" on public.calendar_feeds
  for select to authenticated using (person_id = (select auth.uid()));
create policy "Deactivated accounts read and write nothing" on public.calendar_feeds as restrictive
  for all to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

/** Creates the caller's feed secret, or replaces it (the old address stops working at once); returns it once. */
create function public.reset_calendar_feed() returns text
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  -- Two random UUIDs: 244 bits from pg_strong_random, without needing pgcrypto.
  token text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
begin
  insert into public.calendar_feeds (person_id, token_hash)
  values (caller, encode(sha256(convert_to(token, 'UTF8')), 'hex'))
  on conflict (person_id) do update set token_hash = excluded.token_hash, created_at = now();
  return token;
end
$$;

/**
 * The deadlines that concern the feed's owner, for anyone holding the secret (a calendar app has no session): the
 * closing of each published call for BDT staff, each call deadline (with its extension) of the person's
 * organisations that have an EoI in the call, and the closing of each Board review for the Board. 'not_found' for
 * an unknown (or reset) secret and for a deactivated account. The last 90 days and everything later.
 */
create function public.calendar_feed_deadlines(token text)
returns table (uid text, kind text, title text, due_at timestamptz, entity_id uuid, time_zone text, locale text)
language plpgsql stable security definer set search_path = '' as $$
declare
  owner uuid;
begin
  if token is null or token !~ '^[0-9a-f]{64}$' then perform private.fail('not_found', 'no such calendar feed'); end if;
  select f.person_id into owner from public.calendar_feeds f
  join auth.users u on u.id = f.person_id and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  where f.token_hash = encode(sha256(convert_to(token, 'UTF8')), 'hex');
  if owner is null then perform private.fail('not_found', 'no such calendar feed'); end if;
  return query
  with me as (select p.time_zone, p.locale from public.profiles p where p.id = owner),
  events as (
    select 'call-' || c.id || '@staff' as uid, 'call_closes' as kind, c.title, c.closes_at as due_at, c.id as entity_id
    from public.calls c
    where c.status <> 'draft'
      and exists (select 1 from public.role_grants g where g.user_id = owner and g.role in ('reviewer', 'coordinator'))
    union
    select 'call-' || c.id || '-' || m.organisation_id, 'call_closes', c.title,
           private.call_deadline(c.id, m.organisation_id), c.id
    from public.organisation_members m
    join public.eois e on e.organisation_id = m.organisation_id
    join public.calls c on c.id = e.call_id and c.status <> 'draft'
    where m.user_id = owner
    union
    select 'review-' || r.id, 'review_closes', r.title, r.closes_at, r.id
    from public.board_reviews r
    where exists (select 1 from public.role_grants g where g.user_id = owner and g.role in ('board_member', 'board_chair'))
  )
  select e.uid, e.kind, e.title, e.due_at, e.entity_id, me.time_zone, me.locale
  from events e cross join me
  where e.due_at >= now() - interval '90 days'
  order by e.due_at, e.uid;
end
$$;

revoke execute on function public.set_my_time_zone(text), public.set_notification_preference(text, public.notification_delivery),
  public.mentionable_people(uuid, uuid), public.reset_calendar_feed() from public, anon;
grant execute on function public.set_my_time_zone(text), public.set_notification_preference(text, public.notification_delivery),
  public.mentionable_people(uuid, uuid), public.reset_calendar_feed() to authenticated;
revoke execute on function public.calendar_feed_deadlines(text) from public;
grant execute on function public.calendar_feed_deadlines(text) to anon, authenticated;
