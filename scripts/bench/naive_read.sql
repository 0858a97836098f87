-- What one naive API read does, as pgbench runs it (-M prepared): open a
-- transaction, set the caller's identity, read the organization, commit.
-- :uid and :oid come from -D; the server benchmark rotates over 1,000 pairs.
BEGIN;
SELECT set_config('app.user_id', :uid, true);
SELECT id, name, slug, created_at, updated_at FROM organizations WHERE id = :oid;
COMMIT;
