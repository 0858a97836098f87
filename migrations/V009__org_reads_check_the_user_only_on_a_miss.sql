-- The one-statement reads (`app_org_read`, V006; `app_project_page`, V007)
-- check that the token's user still exists on every call, before looking the
-- organization up. A found organization already proves it: the organizations
-- policy lets a row through only for a member, and a membership cannot
-- outlive its user (memberships.user_id REFERENCES users ON DELETE CASCADE).
-- So the user is looked up only when no organization was found, to tell 401
-- (the user is gone) from 404. Same rules, same columns, same result; one
-- statement less on the hot path (docs/performance.md has the A/B).

CREATE OR REPLACE FUNCTION app_org_read(
    p_user uuid, p_org_id uuid, p_slug text,
    OUT user_exists boolean, OUT id uuid, OUT name text, OUT slug text, OUT role text,
    OUT created_at timestamptz, OUT updated_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
BEGIN
    -- As app_begin(p_user, NULL): this transaction only, no organization scope.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    ignored := set_config('app.org_id', '', true);
    IF p_org_id IS NOT NULL THEN
        SELECT o.id, o.name, o.slug, app_role_in(o.id), o.created_at, o.updated_at
          INTO id, name, slug, role, created_at, updated_at
          FROM organizations o
         WHERE o.id = p_org_id;
    ELSE
        SELECT o.id, o.name, o.slug, app_role_in(o.id), o.created_at, o.updated_at
          INTO id, name, slug, role, created_at, updated_at
          FROM organizations o
         WHERE o.slug = p_slug;
    END IF;
    user_exists := FOUND OR EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
END
$$;

CREATE OR REPLACE FUNCTION app_project_page(
    p_user uuid, p_org_id uuid, p_slug text, p_limit bigint, p_offset bigint,
    OUT user_exists boolean, OUT org_id uuid, OUT total bigint,
    OUT ids uuid[], OUT names text[], OUT slugs text[],
    OUT created_ats timestamptz[], OUT updated_ats timestamptz[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
    v_org uuid;
BEGIN
    -- As app_begin(p_user, NULL): this transaction only, no organization scope.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    ignored := set_config('app.org_id', '', true);
    IF p_org_id IS NOT NULL THEN
        SELECT o.id INTO v_org FROM organizations o WHERE o.id = p_org_id;
    ELSE
        SELECT o.id INTO v_org FROM organizations o WHERE o.slug = p_slug;
    END IF;
    IF v_org IS NULL THEN
        user_exists := EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
        RETURN;
    END IF;
    user_exists := true;
    org_id := v_org;
    SELECT count(*) INTO total FROM projects p WHERE p.org_id = v_org;
    SELECT COALESCE(array_agg(pg.id ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.name ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.slug ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.updated_at ORDER BY pg.created_at DESC, pg.id DESC), '{}')
      INTO ids, names, slugs, created_ats, updated_ats
      FROM (SELECT p.id, p.name, p.slug, p.created_at, p.updated_at
              FROM projects p
             WHERE p.org_id = v_org
             ORDER BY p.created_at DESC, p.id DESC
             LIMIT p_limit OFFSET p_offset) pg;
END
$$;
