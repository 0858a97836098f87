-- The /api/v2/ (cursor) page of an organization's members in one round
-- trip, as `app_project_page_after` (V014) is for its projects. The handler
-- used to open a tenant transaction (BEGIN, `app_begin`, the organization's
-- visibility, the page, COMMIT). Same rules: the identity is set for this
-- statement's transaction only, and every read runs under the users,
-- organizations and memberships policies with the caller's rights (not
-- SECURITY DEFINER).
--
-- Always exactly one row: `user_exists` false means the token's user is
-- gone; `org_id` NULL means no organization with that key is visible to the
-- caller; otherwise the arrays hold up to `p_limit` members after the
-- position (`p_after_at`, `p_after_id`: a membership's time and user id;
-- both NULL for the first page), oldest first, in the same order.

CREATE FUNCTION app_member_page_after(
    p_user uuid, p_org_id uuid, p_slug text,
    p_after_at timestamptz, p_after_id uuid, p_limit bigint,
    OUT user_exists boolean, OUT org_id uuid,
    OUT user_ids uuid[], OUT usernames text[], OUT roles text[],
    OUT created_ats timestamptz[], OUT versions bigint[])
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
    SELECT COALESCE(array_agg(pg.user_id ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.username ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.role ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.version ORDER BY pg.created_at, pg.user_id), '{}')
      INTO user_ids, usernames, roles, created_ats, versions
      FROM (SELECT m.user_id, u.username, m.role, m.created_at, m.version
              FROM memberships m
              JOIN users u ON u.id = m.user_id
             WHERE m.org_id = v_org
               AND (p_after_at IS NULL OR (m.created_at, m.user_id) > (p_after_at, p_after_id))
             ORDER BY m.created_at, m.user_id
             LIMIT p_limit) pg;
END
$$;
