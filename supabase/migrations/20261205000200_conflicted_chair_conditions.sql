-- Issue 15: a chair who declared a conflict of interest on a packet is kept out of that application everywhere (its
-- packet content, discussion, plan and files, and closing its conditions: close_condition refuses them), yet
-- private.can_see_condition (20261203000100) let every chair read every condition of every decision, with the
-- centre's responses and the files attached to them. Now the chair reads a condition only when not conflicted on the
-- decision's packet, as close_condition already required; the centre, BDT and unconflicted Board members as before.

create or replace function private.can_see_condition(condition uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.decision_conditions c where c.id = condition
    and (private.is_member(c.organisation_id) or private.is_bdt()
         or (private.has_role('board_chair') and not exists (
               select 1 from public.conflict_declarations d
               where d.packet_id = c.packet_id and d.member_id = (select auth.uid()) and d.has_conflict))
         or (private.is_board() and private.can_see_application(c.application_id))))
$$;
