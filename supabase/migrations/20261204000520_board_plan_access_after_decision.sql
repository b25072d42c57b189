-- Issue 15: private.plan_access gave Board members edit rights (comment rights without allow_plan_editing) on a plan
-- for as long as its review stayed open, even after the Board had decided the packet, for instance "changes
-- requested": the application then belongs to the applicant again, yet Board members on the still-open review could
-- keep editing it. Starting from the latest definition (20261203000200, amendments), a decided packet now gives its
-- Board members read access only, for applications and amendment packets alike.

/**
 * The one answer to "what may the caller do with this plan" (RLS, transitions and the collaboration server), as in
 * 20261203000200, except that Board members edit or comment only while their packet is undecided in an open review.
 */
create or replace function private.plan_access(plan uuid) returns public.plan_access_level
language plpgsql stable security definer set search_path = '' as $$
declare
  app public.centre_applications;
  amendment public.plan_amendments;
  review public.board_reviews;
  packet uuid;
begin
  if (select auth.uid()) is null then return null; end if;
  select m.* into amendment from public.plan_amendments m where m.plan_id = plan;
  if found then
    if amendment.status in ('approved', 'rejected', 'withdrawn') then
      return case when private.can_see_amendment(amendment.id) then 'read'::public.plan_access_level end;
    end if;
    if private.is_member(amendment.organisation_id) or private.is_bdt() then
      return case when amendment.status in ('draft', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    select p.id into packet from public.board_packets p join public.board_reviews r on r.id = p.review_id
    where p.amendment_id = amendment.id and private.can_see_packet(p.id)
    order by r.opened_at desc limit 1;
  else
    select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id
    where p.id = plan;
    if not found then return null; end if;
    -- Approval freezes the plan: whoever may see it reads it, nobody changes it.
    if app.status in ('approved', 'approved_with_conditions', 'rejected') then
      return case when private.can_see_application(app.id) then 'read'::public.plan_access_level end;
    end if;
    if private.is_member(app.organisation_id) then
      return case when app.status in ('draft', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    if private.is_bdt() then
      return case when app.status in ('draft', 'submitted', 'bdt_review', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    select p.id into packet from public.board_packets p join public.board_reviews r on r.id = p.review_id
    where p.application_id = app.id and p.amendment_id is null and private.can_see_packet(p.id)
    order by r.opened_at desc limit 1;
  end if;
  if packet is null then return null; end if;
  select r.* into review from public.board_reviews r join public.board_packets p on p.review_id = r.id where p.id = packet;
  -- Only while the packet awaits its decision: once the Board decided (changes requested included), members read.
  if review.status = 'open' and not exists (select 1 from public.board_decisions d where d.packet_id = packet) then
    return case when review.allow_plan_editing then 'edit' else 'comment' end;
  end if;
  return 'read';
end
$$;
