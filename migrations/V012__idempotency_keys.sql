-- Idempotency keys (the `Idempotency-Key` header,
-- draft-ietf-httpapi-idempotency-key-header): the first successful response
-- to a create, stored per (caller, key) in the same transaction as the row it
-- created, so a retried request whose response was lost gets that response
-- again instead of making a second row. Tenant data of the user who sent it:
-- row-level security lets each user see and write only their own keys, so a
-- key can neither reveal nor replay anything for anyone else.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    -- The operation and a SHA-256 of what was asked (path and body), so the
    -- same key sent with another request is told apart (422).
    operation     text NOT NULL,
    request_hash  bytea NOT NULL CHECK (octet_length(request_hash) = 32),
    status        smallint NOT NULL CHECK (status BETWEEN 200 AND 299),
    response      jsonb NOT NULL,
    location      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_select ON idempotency_keys FOR SELECT TO backend_app
    USING (user_id = app_user_id());
CREATE POLICY idempotency_keys_insert ON idempotency_keys FOR INSERT TO backend_app
    WITH CHECK (user_id = app_user_id());
CREATE POLICY idempotency_keys_delete ON idempotency_keys FOR DELETE TO backend_app
    USING (user_id = app_user_id() AND expires_at < now());

GRANT SELECT, INSERT, DELETE ON idempotency_keys TO backend_app;
-- The owner (FORCE binds it too) sees only expired keys: what the pruner needs.
CREATE POLICY owner_prunes_idempotency_keys ON idempotency_keys FOR ALL TO CURRENT_USER
    USING (expires_at < now());

-- Deletes at most `p_limit` (capped at 10,000) expired keys of any user,
-- oldest first; returns how many. Replicas call it now and then, in bounded
-- batches; a row another pruner holds is skipped.
CREATE FUNCTION app_prune_idempotency_keys(p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM idempotency_keys
     WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys
                               WHERE expires_at < now()
                               ORDER BY expires_at
                               LIMIT least(greatest(p_limit, 0), 10000)
                               FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;

REVOKE ALL ON FUNCTION app_prune_idempotency_keys(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_prune_idempotency_keys(integer) TO backend_app;
