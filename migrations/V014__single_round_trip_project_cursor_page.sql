-- The /api/v2/ (cursor) page of an organization's projects in one round
-- trip, as `app_project_page` (V007, V013) is for the /api/v1/ offset page.
-- The handler used to open a tenant transaction: BEGIN, `app_begin`, the
-- organization's visibility, the page, COMMIT, five round trips, and
-- measured 0.60x the offset page's throughput (docs/performance.md). The
-- rules are the same as there: the identity is set for this statement's
-- transaction only, and every read below runs under the users,
-- organizations and projects policies with the caller's rights (this is not
-- a SECURITY DEFINER function).
--
-- Always exactly one row: `user_exists` false means the token's user is
-- gone; `org_id` NULL means no organization with that key is visible to the
-- caller; otherwise the arrays hold up to `p_limit` projects after the
-- position (`p_after_at`, `p_after_id`; both NULL for the first page),
-- newest first, in the same order.

CREATE FUNCTION app_project_page_after(
    p_user uuid, p_org_id uuid, p_slug text,
    p_after_at timestamptz, p_after_id uuid, p_limit bigint,
    OUT user_exists boolean, OUT org_id uuid,
    OUT ids uuid[], OUT names text[], OUT slugs text[],
    OUT created_ats timestamptz[], OUT updated_ats timestamptz[], OUT versions bigint[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
    v_org uuid;
BEGIN
    -- The identity, as app_begin(p_user) sets it: this transaction only.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
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
    SELECT COALESCE(array_agg(pg.id ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.name ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.slug ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.updated_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.version ORDER BY pg.created_at DESC, pg.id DESC), '{}')
      INTO ids, names, slugs, created_ats, updated_ats, versions
      FROM (SELECT p.id, p.name, p.slug, p.created_at, p.updated_at, p.version
              FROM projects p
             WHERE p.org_id = v_org
               AND (p_after_at IS NULL OR (p.created_at, p.id) < (p_after_at, p_after_id))
             ORDER BY p.created_at DESC, p.id DESC
             LIMIT p_limit) pg;
END
$$;
