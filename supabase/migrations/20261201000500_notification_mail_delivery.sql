-- Each notification mail is delivered on its own (issue 11): a sender claims one row in a short transaction
-- (for update skip locked), sends with no lock held, then marks it sent; a failure is retried with exponential
-- backoff and ends as 'failed'. A crashed sender's claim (lease) expires, so the mail is not lost.

alter table public.notifications
  add column mail_state text not null default 'pending'
    constraint notifications_mail_state_check check (mail_state in ('pending', 'sending', 'sent', 'failed')),
  add column mail_attempts integer not null default 0 constraint notifications_mail_attempts_check check (mail_attempts >= 0),
  add column mail_next_attempt_at timestamptz not null default now(),
  add column mail_lease_until timestamptz,
  add column mail_last_error text;

comment on column public.notifications.mail_state is
  'pending: to send (at mail_next_attempt_at); sending: claimed by a sender until mail_lease_until; sent (emailed_at); failed: gave up after the last retry.';
comment on column public.notifications.mail_attempts is 'How many times a sender claimed this mail; also fences a sender whose lease expired.';

-- Rows mailed by the batch sender before this migration are sent.
update public.notifications set mail_state = 'sent' where emailed_at is not null;

drop index if exists public.notifications_unsent_idx;
create index notifications_mail_due_idx on public.notifications (mail_next_attempt_at)
  where mail_state in ('pending', 'sending');
