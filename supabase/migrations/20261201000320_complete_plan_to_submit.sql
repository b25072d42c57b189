-- A centre application is submitted only with its action plan's required sections filled (issue 10).
-- The template (server/collab/plan-template.ts) writes one section per strategic capability, headed by the
-- capability's name, with "Objectives", "Activities and timeline" and "Key performance indicators" (a table with
-- Indicator, Baseline, Target columns). For every capability of the application the plan needs: its section, some
-- text under Objectives, at least one activity, and at least one KPI, every KPI with a baseline and a target.
-- The check reads action_plans.content, the JSON copy the collaboration server writes (the app writes it at once
-- before submitting).

/** Whether a TipTap node holds any non-blank text. */
create function private.plan_node_has_text(node jsonb) returns boolean
language sql immutable set search_path = '' as $$
  select coalesce(jsonb_path_exists(node, 'lax $.** ? (@.type == "text" && @.text like_regex "[^[:space:]]")'), false)
$$;

/** The plain text of a heading (its inline children). */
create function private.plan_heading_text(node jsonb) returns text
language sql immutable set search_path = '' as $$
  select coalesce(string_agg(child ->> 'text', '' order by n), '')
  from jsonb_array_elements(case when jsonb_typeof(node -> 'content') = 'array' then node -> 'content' else '[]' end)
       with ordinality as c(child, n)
$$;

/** A heading's level, or null for any other block. */
create function private.plan_heading_level(node jsonb) returns integer
language sql immutable set search_path = '' as $$
  select case when node ->> 'type' = 'heading' and jsonb_typeof(node -> 'attrs' -> 'level') = 'number'
              then (node -> 'attrs' ->> 'level')::numeric::integer end
$$;

/** The rows of a table block that are not header rows. */
create function private.plan_table_body_rows(tbl jsonb) returns setof jsonb
language sql immutable set search_path = '' as $$
  select r from jsonb_array_elements(case when jsonb_typeof(tbl -> 'content') = 'array' then tbl -> 'content' else '[]' end) r
  where jsonb_typeof(r -> 'content') = 'array' and r -> 'content' -> 0 ->> 'type' is distinct from 'tableHeader'
$$;

/** Whether the KPI blocks hold at least one KPI, and every KPI row names its indicator, baseline and target. */
create function private.plan_kpis_complete(blocks jsonb[]) returns boolean
language plpgsql immutable set search_path = '' as $$
declare
  block jsonb;
  header jsonb;
  row jsonb;
  indicator_at integer;
  baseline_at integer;
  target_at integer;
  found_one boolean := false;
begin
  foreach block in array coalesce(blocks, '{}') loop
    continue when block ->> 'type' is distinct from 'table';
    -- Columns are found by their header (the template's order is the default).
    indicator_at := 0; baseline_at := 1; target_at := 2;
    select r into header from jsonb_array_elements(case when jsonb_typeof(block -> 'content') = 'array' then block -> 'content' else '[]' end) r
    where r -> 'content' -> 0 ->> 'type' = 'tableHeader' limit 1;
    if header is not null then
      select coalesce(min(n - 1) filter (where txt ~* 'indicator|kpi'), 0),
             coalesce(min(n - 1) filter (where txt ~* 'baseline'), 1),
             coalesce(min(n - 1) filter (where txt ~* 'target'), 2)
      into indicator_at, baseline_at, target_at
      from (select n, coalesce((select string_agg(t #>> '{}', ' ') from jsonb_path_query(cell, 'lax $.** ? (@.type == "text").text') t), '') as txt
            from jsonb_array_elements(header -> 'content') with ordinality as c(cell, n)) cells;
    end if;
    for row in select * from private.plan_table_body_rows(block) loop
      continue when not private.plan_node_has_text(row);
      if not (private.plan_node_has_text(row -> 'content' -> indicator_at)
              and private.plan_node_has_text(row -> 'content' -> baseline_at)
              and private.plan_node_has_text(row -> 'content' -> target_at)) then
        return false;
      end if;
      found_one := true;
    end loop;
  end loop;
  return found_one;
end
$$;

/** Whether activity blocks hold an activity: text anywhere but in a table's header row. */
create function private.plan_activities_filled(blocks jsonb[]) returns boolean
language plpgsql immutable set search_path = '' as $$
declare
  block jsonb;
begin
  foreach block in array coalesce(blocks, '{}') loop
    if block ->> 'type' = 'table' then
      if exists (select 1 from private.plan_table_body_rows(block) r where private.plan_node_has_text(r)) then return true; end if;
    elsif private.plan_node_has_text(block) then
      return true;
    end if;
  end loop;
  return false;
end
$$;

/**
 * What the plan still lacks, as `plan.<capability>.<part>` (part: section, objectives, activities, kpis), in the
 * order of the capabilities. An application without capabilities has the template's one general section.
 */
create function private.plan_missing_parts(plan uuid) returns text[]
language plpgsql stable security definer set search_path = '' as $$
declare
  app public.centre_applications;
  doc jsonb;
  blocks jsonb[];
  levels integer[];
  texts text[];
  cap record;
  section_at integer;
  section_end integer;
  part record;
  part_at integer;
  part_end integer;
  part_blocks jsonb[];
  filled boolean;
  missing text[] := '{}';
  i integer;
begin
  select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan;
  select p.content into doc from public.action_plans p where p.id = plan;
  blocks := array(select b from jsonb_array_elements(case when jsonb_typeof(doc -> 'content') = 'array' then doc -> 'content' else '[]' end)
                  with ordinality as x(b, n) order by n);
  levels := array(select private.plan_heading_level(b) from unnest(blocks) with ordinality as x(b, n) order by n);
  texts := array(select lower(private.plan_heading_text(b)) from unnest(blocks) with ordinality as x(b, n) order by n);

  for cap in
    select c.code, c.label::jsonb as label, c.position from public.strategic_capabilities c where c.code = any(app.capabilities)
    union all
    select 'general', '{"en": "Strategic objective"}'::jsonb, 0 where not exists (
      select 1 from public.strategic_capabilities c where c.code = any(app.capabilities))
    order by 3
  loop
    -- The capability's section: a level-2 heading naming it (in any of the six languages, numbered or not).
    section_at := null;
    for i in 1 .. coalesce(array_length(blocks, 1), 0) loop
      if levels[i] = 2 and exists (select 1 from jsonb_each_text(cap.label) l
                                   where btrim(l.value) <> '' and position(lower(l.value) in texts[i]) > 0) then
        section_at := i;
        exit;
      end if;
    end loop;
    if section_at is null then
      missing := missing || ('plan.' || cap.code || '.section');
      continue;
    end if;
    section_end := coalesce(array_length(blocks, 1), 0) + 1;
    for i in section_at + 1 .. coalesce(array_length(blocks, 1), 0) loop
      if levels[i] <= 2 then section_end := i; exit; end if;
    end loop;

    for part in select * from (values (1, 'objectives', 'objective'), (2, 'activities', 'activit'),
                                      (3, 'kpis', 'indicator|kpi')) as p(n, code, pattern) order by n loop
      part_at := null;
      for i in section_at + 1 .. section_end - 1 loop
        if levels[i] >= 3 and texts[i] ~* part.pattern then part_at := i; exit; end if;
      end loop;
      filled := false;
      if part_at is not null then
        part_end := section_end;
        for i in part_at + 1 .. section_end - 1 loop
          if levels[i] is not null and levels[i] <= levels[part_at] then part_end := i; exit; end if;
        end loop;
        part_blocks := blocks[part_at + 1 : part_end - 1];
        filled := case part.code
          when 'objectives' then exists (select 1 from unnest(part_blocks) b where private.plan_node_has_text(b))
          when 'activities' then private.plan_activities_filled(part_blocks)
          else private.plan_kpis_complete(part_blocks)
        end;
      end if;
      if not coalesce(filled, false) then missing := missing || ('plan.' || cap.code || '.' || part.code); end if;
    end loop;
  end loop;
  return missing;
end
$$;
revoke execute on function private.plan_node_has_text(jsonb), private.plan_heading_text(jsonb),
  private.plan_heading_level(jsonb), private.plan_table_body_rows(jsonb), private.plan_kpis_complete(jsonb[]),
  private.plan_activities_filled(jsonb[]), private.plan_missing_parts(uuid) from public;

/**
 * The applicant submits. Refused with `incomplete` when answers or required plan sections are missing; DETAIL lists
 * them, comma-separated: the form's columns, then `plan.<capability>.<part>` for the plan.
 */
create or replace function public.submit_application(application uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
  plan uuid;
  missing text[];
begin
  perform private.require_user();
  row := private.lock_application(application);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the applicant submits'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'only a draft or an application with changes requested is submitted');
  end if;
  missing := array_remove(array[
    case when coalesce(btrim(row.centre_name), '') = '' then 'centre_name' end,
    case when coalesce(btrim(row.governance), '') = '' then 'governance' end,
    case when coalesce(btrim(row.resources), '') = '' then 'resources' end,
    case when coalesce(btrim(row.host_details), '') = '' then 'host_details' end
  ], null);
  select p.id into plan from public.action_plans p where p.application_id = application;
  missing := missing || case when plan is null then array['plan.general.section'] else private.plan_missing_parts(plan) end;
  if cardinality(missing) > 0 then
    raise exception using errcode = 'P0001', message = 'incomplete: ' || array_to_string(missing, ', '),
      hint = 'incomplete', detail = array_to_string(missing, ',');
  end if;
  update public.centre_applications set status = 'submitted', submitted_at = now() where id = application;
  perform private.audit('application', application, row.organisation_id, 'submit_application', row.status::text, 'submitted', null);
  perform private.notify(private.users_with_role('coordinator'), 'application_submitted', 'application', application);
end
$$;
