-- The first page of an organization's projects in one round trip, as
-- `app_org_read` (V004, V006) does for the organization itself. The list
-- endpoint used to open a tenant transaction (BEGIN, `app_begin`), look the
-- organization up, count, read the page and COMMIT: five round trips plus
-- the pool's ping when the connection went back. The rules are unchanged:
-- the identity is set for this transaction only, and every read below runs
-- under the users, organizations and projects policies with the caller's
-- rights (this is not a SECURITY DEFINER function).
--
-- Always exactly one row, so the server reads it like the organization read:
-- `user_exists` false means the token's user is gone; `org_id` NULL means no
-- organization with that key is visible to the caller; otherwise `total`
-- counts the organization's projects and the arrays hold the page, newest
-- first, in the same order (empty past the end).

CREATE FUNCTION app_project_page(
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
    user_exists := EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
    IF NOT user_exists THEN
        RETURN;
    END IF;
    IF p_org_id IS NOT NULL THEN
        SELECT o.id INTO v_org FROM organizations o WHERE o.id = p_org_id;
    ELSE
        SELECT o.id INTO v_org FROM organizations o WHERE o.slug = p_slug;
    END IF;
    IF v_org IS NULL THEN
        RETURN;
    END IF;
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
