-- Issue 15: the Board's decision on a major amendment. The packet goes through the same review, declarations, votes,
-- quorum and board_decisions as an application's; only the recording differs, so record_decision (and the
-- revision-cycle cap it enforces for applications) stays as it is and refuses amendment packets (their application
-- is no longer in board review). Approval makes the submitted version the centre's approved baseline.

create function public.record_amendment_decision(packet uuid, outcome public.vote_choice, reasons text default null)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  packet_row public.board_packets;
  amendment public.plan_amendments;
  tally record;
  new_status public.application_status;
  approved uuid;
begin
  if not private.has_role('board_chair') then perform private.fail('not_allowed', 'only the chair records decisions'); end if;
  select * into packet_row from public.board_packets where id = packet for update;
  if not found or packet_row.amendment_id is null then perform private.fail('not_found', 'no such amendment packet'); end if;
  if exists (select 1 from public.conflict_declarations where packet_id = packet and member_id = caller and has_conflict) then
    perform private.fail('not_allowed', 'a conflicted chair cannot record this decision');
  end if;
  if exists (select 1 from public.board_decisions where packet_id = packet) then
    perform private.fail('invalid_transition', 'the decision is already recorded');
  end if;
  select * into tally from private.packet_quorum(packet);
  if tally.votes_counted < tally.quorum_required then
    raise exception using errcode = 'P0001', hint = 'quorum_not_met',
      message = format('quorum not met: %s of %s votes', tally.votes_counted, tally.quorum_required);
  end if;
  new_status := case outcome when 'approve' then 'approved' when 'approve_with_conditions' then 'approved_with_conditions'
                             when 'request_changes' then 'changes_requested' else 'rejected' end;
  if new_status <> 'approved' and coalesce(btrim(reasons), '') = '' then
    perform private.fail('reason_required', 'give the Board''s reasons');
  end if;
  select * into amendment from public.plan_amendments where id = packet_row.amendment_id for update;
  if amendment.status <> 'board_review' then
    perform private.fail('invalid_transition', 'the amendment is not before the Board');
  end if;
  insert into public.board_decisions (packet_id, outcome, conditions, votes_counted, quorum_required, recorded_by)
  values (packet, new_status, nullif(btrim(reasons), ''), tally.votes_counted, tally.quorum_required, caller);
  if new_status in ('approved', 'approved_with_conditions') then
    approved := private.adopt_amendment(amendment, 'board', coalesce(nullif(btrim(reasons), ''), 'Approved by the Board'));
  else
    update public.plan_amendments
    set status = case when new_status = 'changes_requested' then 'changes_requested'::public.amendment_status
                      else 'rejected' end,
        decided_at = case when new_status = 'rejected' then now() end
    where id = amendment.id;
  end if;
  perform private.audit('amendment', amendment.id, amendment.organisation_id, 'record_amendment_decision', 'board_review',
                        case when new_status in ('approved', 'approved_with_conditions') then 'approved'
                             when new_status = 'changes_requested' then 'changes_requested' else 'rejected' end,
                        reasons, jsonb_build_object('packet_id', packet, 'outcome', new_status,
                                                    'votes_counted', tally.votes_counted,
                                                    'quorum_required', tally.quorum_required));
  perform private.notify(private.amendment_members(amendment) || private.amendment_reviewers(),
                         'amendment_decided', 'amendment', amendment.id, jsonb_build_object('outcome', new_status));
  return approved;
end
$$;
revoke execute on function public.record_amendment_decision(uuid, public.vote_choice, text) from public, anon;
grant execute on function public.record_amendment_decision(uuid, public.vote_choice, text) to authenticated;
