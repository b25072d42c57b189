-- Issue 16: freezing a plan refuses KPIs that do not type. A plan is frozen when it is sent to the Board (the
-- 'sent_to_board' version the Board reviews), when it is approved (the 'approved' version: the Board's approval of an
-- application, an amendment adopted by BDT or the Board), and when an amendment is submitted for approval (its sent
-- version is what becomes the baseline). Each point refuses with hint `kpis_untyped`, the DETAIL naming every problem
-- as `kpi.<capability>.<position>.<problem>` (private.plan_kpis, 20261204000100). The checks are triggers on the
-- rows each freeze writes, so the transition functions keep exactly what they check today (revision-cycle cap,
-- reasons, conditions) and any later definition of them is covered too. Submission names the same problems in its
-- `incomplete` DETAIL (private.plan_missing_parts). Versions frozen before this migration stay as they are.

/** Every problem of the plan's KPIs, `kpi.<capability>.<position>.<problem>`, in document order. */
create function private.kpi_problem_list(content jsonb) returns text[]
language sql stable set search_path = '' as $$
  select coalesce(array_agg('kpi.' || k.capability || '.' || k.position || '.' || p.problem order by k.n, p.m), '{}')
  from private.plan_kpis(content) with ordinality as k(kpi_key, capability, position, indicator, unit, baseline, target,
                                                         target_date, problems, n),
       unnest(k.problems) with ordinality as p(problem, m)
$$;

/** Refuses a plan whose KPIs do not type, naming each problem. */
create function private.require_typed_kpis(content jsonb) returns void
language plpgsql stable set search_path = '' as $$
declare
  problems text[] := private.kpi_problem_list(content);
begin
  if cardinality(problems) > 0 then
    raise exception using errcode = 'P0001', hint = 'kpis_untyped',
      message = 'the plan''s KPIs do not type: ' || array_to_string(problems, ', '),
      detail = array_to_string(problems, ',');
  end if;
end
$$;

create function private.check_frozen_kpis() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_table_name = 'plan_versions' then
    perform private.require_typed_kpis(new.content);
  else
    perform private.require_typed_kpis((select v.content from public.plan_versions v where v.id = new.sent_version_id));
  end if;
  return new;
end
$$;
revoke execute on function private.kpi_problem_list(jsonb), private.require_typed_kpis(jsonb),
  private.check_frozen_kpis() from public;

-- Sent to the Board, approved by the Board or adopted as an amendment.
create trigger plan_versions_typed_kpis before insert on public.plan_versions
  for each row when (new.kind in ('sent_to_board', 'approved')) execute function private.check_frozen_kpis();
-- An amendment submitted for approval.
create trigger plan_amendments_typed_kpis before update of sent_version_id on public.plan_amendments
  for each row when (new.sent_version_id is not null and new.sent_version_id is distinct from old.sent_version_id)
  execute function private.check_frozen_kpis();

/**
 * Whether the blocks under a "Key performance indicators" heading hold at least one KPI, each with an indicator, a
 * baseline and a target (20261201000320), now read by private.plan_kpis: typed tables and old free-text ones alike.
 */
create or replace function private.plan_kpis_complete(blocks jsonb[]) returns boolean
language sql stable set search_path = '' as $$
  with k as (
    select * from private.plan_kpis(jsonb_build_object('content',
      jsonb_build_array(jsonb_build_object('type', 'heading', 'attrs', jsonb_build_object('level', 3),
                                           'content', jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'KPI'))))
      || coalesce(to_jsonb(blocks), '[]'))))
  select exists (select 1 from k)
     and not exists (select 1 from k where k.problems && array['indicator_missing', 'baseline_missing', 'target_missing'])
$$;

/**
 * What the plan still lacks (20261203000610), and now each KPI that does not type (issue 16):
 * `kpi.<capability>.<position>.<problem>` after the parts, for capabilities whose KPI part is there.
 */
create or replace function private.plan_missing_parts(plan uuid) returns text[]
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
    select 'general', '{"en": "Strategic objective", "fr": "Objectif stratégique", "es": "Objetivo estratégico", "ar": "الهدف الاستراتيجي", "ru": "Стратегическая цель", "zh": "战略目标"}'::jsonb, 0 where not exists (
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

    for part in select * from (values (1, 'objectives', 'objecti|objetivo|الأهداف|[Цц]ел|目标'), (2, 'activities', 'activit|actividad|الأنشطة|[Мм]ероприят|活动'),
                                      (3, 'kpis', 'indicat|kpi|مؤشر|[Пп]оказател|指标')) as p(n, code, pattern) order by n loop
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
  -- Issue 16: each KPI that does not type, named, where the capability's KPI part is there (else that part is named).
  missing := missing || array(
    select 'kpi.' || k.capability || '.' || k.position || '.' || problem
    from private.plan_kpis(doc) with ordinality as k(kpi_key, capability, position, indicator, unit, baseline, target,
                                                     target_date, problems, n),
         unnest(k.problems) with ordinality as p(problem, m)
    where not (('plan.' || k.capability || '.kpis') = any(missing) or ('plan.' || k.capability || '.section') = any(missing))
    order by k.n, p.m);
  return missing;
end
$$;
revoke execute on function private.plan_kpis_complete(jsonb[]), private.plan_missing_parts(uuid) from public;

/**
 * The commitments only the Board may change (20261203000200): the objectives as before, and each KPI's indicator and
 * target read by private.plan_kpis (typed tables put the target in the fourth column, old ones anywhere their header
 * says), so a changed target is a major change whatever the table's layout.
 */
create or replace function private.plan_commitments(doc jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  node jsonb;
  section text := '';
  subsection text := '';
  body text;
  objectives jsonb := '[]';
  targets jsonb;
begin
  for node in select value from jsonb_array_elements(coalesce(doc -> 'content', '[]')) loop
    if node ->> 'type' = 'heading' then
      if coalesce((node -> 'attrs' ->> 'level')::integer, 1) <= 2 then
        section := private.plan_node_text(node);
        subsection := '';
      else
        subsection := lower(private.plan_node_text(node));
      end if;
    elsif subsection like 'objective%' then
      body := private.plan_node_text(node);
      if body <> '' then objectives := objectives || jsonb_build_array(jsonb_build_array(section, body)); end if;
    end if;
  end loop;
  select coalesce(jsonb_agg(jsonb_build_array(k.capability, k.indicator, k.target) order by k.n), '[]') into targets
  from private.plan_kpis(doc) with ordinality as k(kpi_key, capability, position, indicator, unit, baseline, target,
                                                   target_date, problems, n);
  return jsonb_build_object('objectives', objectives, 'kpi_targets', targets);
end
$$;
revoke execute on function private.plan_commitments(jsonb) from public;

-- As before; stable now that the commitments read the list of capabilities.
create or replace function private.major_changes(before jsonb, after jsonb) returns text[]
language sql stable set search_path = '' as $$
  select array_remove(array[
    case when private.plan_commitments(before) -> 'objectives' is distinct from private.plan_commitments(after) -> 'objectives'
         then 'objectives' end,
    case when private.plan_commitments(before) -> 'kpi_targets' is distinct from private.plan_commitments(after) -> 'kpi_targets'
         then 'kpi_targets' end], null)
$$;
revoke execute on function private.major_changes(jsonb, jsonb) from public;
