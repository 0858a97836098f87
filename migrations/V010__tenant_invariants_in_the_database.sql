-- Two rules that only the handlers enforced until now, enforced by PostgreSQL
-- for every statement of the application role, so that a handler bug (or a
-- statement run as `backend_app` by hand) cannot break them:
--
-- 1. An organization always keeps at least one owner. A constraint trigger,
--    checked at commit (DEFERRABLE INITIALLY DEFERRED), so that a transaction
--    may hand ownership over in two steps; an organization deleted in the same
--    transaction needs no owner. It raises check_violation with the
--    constraint name `memberships_last_owner`, which the server answers as
--    409 LAST_OWNER.
-- 2. A project or a membership never moves to another organization, and a
--    membership never changes its user: the application role may update only
--    the columns the API changes (column privileges). Organizations keep
--    their creator.

CREATE FUNCTION app_check_org_keeps_an_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- Runs as the owner: it must see every membership of the organization,
    -- not only those the caller's policies let through.
    IF EXISTS (SELECT 1 FROM organizations o WHERE o.id = OLD.org_id)
       AND NOT EXISTS (SELECT 1 FROM memberships m
                        WHERE m.org_id = OLD.org_id AND m.role = 'owner') THEN
        RAISE EXCEPTION 'organization % would be left without an owner', OLD.org_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_last_owner';
    END IF;
    RETURN NULL;
END
$$;

REVOKE ALL ON FUNCTION app_check_org_keeps_an_owner() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER memberships_last_owner
    AFTER UPDATE OF role OR DELETE ON memberships
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION app_check_org_keeps_an_owner();

REVOKE UPDATE ON organizations, memberships, projects, users FROM backend_app;
GRANT UPDATE (name, slug) ON organizations TO backend_app;
GRANT UPDATE (role) ON memberships TO backend_app;
GRANT UPDATE (name, slug) ON projects TO backend_app;
