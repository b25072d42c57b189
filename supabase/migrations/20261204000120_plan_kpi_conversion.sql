-- Issue 16: plans written before KPIs were typed hold free-text KPI tables. The collaboration server converts a live
-- document once, when it loads it (app/lib/plan-kpis.ts, convertPlanKpis): cells that parse become typed, the others
-- stay as they were typed and are flagged for the centre to complete. This table records that the conversion ran,
-- written in the same transaction as the converting update, so it runs once and is never half done. Frozen versions
-- stay as they are (private.plan_kpis reads them leniently).

create table private.plan_kpi_conversions (
  plan_id uuid primary key references public.action_plans (id) on delete cascade,
  converted_at timestamptz not null default now(),
  -- Free-text tables turned into typed ones (0: the plan had none).
  tables integer not null default 0 check (tables >= 0),
  -- The KPI rows left for the centre to complete: [{"kpiKey": ..., "problems": [...]}].
  flagged jsonb not null default '[]' check (jsonb_typeof(flagged) = 'array')
);
comment on table private.plan_kpi_conversions is
  'Plans whose free-text KPI tables the collaboration server converted into typed ones (once per plan).';
alter table private.plan_kpi_conversions enable row level security;
revoke all on private.plan_kpi_conversions from public, anon, authenticated, service_role;

/**
 * Records the conversion of a plan's KPI tables with the update that converts it (null: nothing to change), in one
 * transaction under the plan's append lock. Returns 'converted' (with the update's id), 'done' when the conversion
 * already ran, or 'stale' when updates were stored after `after_update_id` (the caller loads the plan again).
 */
create function private.record_kpi_conversion(plan uuid, converting bytea, after_update_id bigint, tables integer,
                                              flagged jsonb, out outcome text, out update_id bigint)
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_advisory_xact_lock(1347174734, hashtext(record_kpi_conversion.plan::text));
  if exists (select 1 from private.plan_kpi_conversions c where c.plan_id = record_kpi_conversion.plan) then
    outcome := 'done';
    return;
  end if;
  if exists (select 1 from private.plan_updates u where u.plan_id = record_kpi_conversion.plan and u.id > after_update_id)
     or exists (select 1 from private.plan_snapshots s where s.plan_id = record_kpi_conversion.plan
                and s.through_update_id > after_update_id) then
    outcome := 'stale';
    return;
  end if;
  if converting is not null then
    select a.id into update_id from private.append_plan_updates(array[record_kpi_conversion.plan], array[converting]) a;
  end if;
  insert into private.plan_kpi_conversions (plan_id, tables, flagged)
  values (record_kpi_conversion.plan, record_kpi_conversion.tables, coalesce(record_kpi_conversion.flagged, '[]'));
  if record_kpi_conversion.tables > 0 then
    perform private.audit_plan(record_kpi_conversion.plan, 'convert_kpis', null,
                               jsonb_build_object('tables', record_kpi_conversion.tables,
                                                  'flagged', coalesce(record_kpi_conversion.flagged, '[]')));
  end if;
  outcome := 'converted';
end
$$;
revoke execute on function private.record_kpi_conversion(uuid, bytea, bigint, integer, jsonb) from public;
