-- Issue 18: the plan's template is written in the application's language (centre_applications.plan_language), so
-- the check of a plan's required parts (20261201000320) finds the template's headings in any of the six languages:
-- "Objectives", "Activities and timeline" and "Key performance indicators" as server/collab/plan-template.ts writes
-- them from app/i18n/locales/*.json (planTemplate.*), and the general section's "Strategic objective". Patterns list
-- both cases of Cyrillic words: with the C collation lower() and ~* fold ASCII only.

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
  return missing;
end
$$;
revoke execute on function private.plan_missing_parts(uuid) from public;
