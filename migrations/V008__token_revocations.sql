-- Token revocations: PostgreSQL is the source of truth for which tokens no
-- longer work (logout, refresh, an operator's revocation). Every replica keeps
-- the live rows in memory and catches up by `seq` (docs/architecture/sessions.md):
-- warm-loaded before it is ready, nudged by a Redis event that carries only the
-- token id, reconciled on a short interval. Redis holds none of it.
--
-- Not tenant data (no RLS). The application role may read the table but not
-- write it: the only ways in are the two functions below, which run as the
-- owner. So the server can revoke and prune expired rows, and nothing that
-- connects as `backend_app` can un-revoke a token or rewrite a row.
CREATE TABLE token_revocations (
    -- Commit order (see app_revoke_token): a replica that has read seq n has
    -- seen every revocation below n, so "everything after n" is a complete
    -- catch-up.
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    jti         uuid NOT NULL CONSTRAINT token_revocations_jti_key UNIQUE,
    -- When the token expires; the row is useless (and pruned) after that.
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL CHECK (reason IN ('logout', 'refresh', 'admin'))
);
CREATE INDEX token_revocations_expires_at_idx ON token_revocations (expires_at);

REVOKE ALL ON token_revocations FROM PUBLIC;
GRANT SELECT ON token_revocations TO backend_app;

-- Revokes a token id until `p_expires_at`; returns the row's sequence number
-- (the existing one when the id was already revoked).
--
-- Writers take one transaction-scoped advisory lock before drawing a sequence
-- number, so numbers are handed out in commit order: without it a revocation
-- could commit after one with a higher number, and a replica that had already
-- caught up past that number would never read it. Revocations are rare (a
-- logout, a refresh), so queueing them costs nothing measurable.
CREATE FUNCTION app_revoke_token(p_jti uuid, p_expires_at timestamptz, p_reason text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_seq bigint;
BEGIN
    IF p_jti IS NULL OR p_expires_at IS NULL THEN
        RAISE EXCEPTION 'app_revoke_token: token id and expiry are required'
            USING ERRCODE = '22004';
    END IF;
    -- No token outlives 31 days (JWT_TTL_SECONDS is at most 30 days), so a
    -- later expiry can only be a mistake that would keep a row forever.
    IF p_expires_at > now() + interval '31 days' THEN
        RAISE EXCEPTION 'app_revoke_token: expiry is more than 31 days ahead'
            USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('token_revocations', 0));
    INSERT INTO token_revocations (jti, expires_at, reason)
    VALUES (p_jti, p_expires_at, p_reason)
    ON CONFLICT (jti) DO NOTHING
    RETURNING seq INTO v_seq;
    IF v_seq IS NULL THEN
        SELECT seq INTO v_seq FROM token_revocations WHERE jti = p_jti;
    END IF;
    RETURN v_seq;
END
$$;

-- Deletes at most `p_limit` (capped at 10,000) rows whose token expired more
-- than a minute ago, oldest first; returns how many. Replicas call it in a
-- loop of bounded batches, and may do so at the same time: a row another
-- pruner holds is skipped, not waited for.
CREATE FUNCTION app_prune_token_revocations(p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM token_revocations
     WHERE seq IN (SELECT seq FROM token_revocations
                    WHERE expires_at < now() - interval '1 minute'
                    ORDER BY expires_at
                    LIMIT least(greatest(p_limit, 0), 10000)
                    FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;

REVOKE ALL ON FUNCTION app_revoke_token(uuid, timestamptz, text),
    app_prune_token_revocations(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_revoke_token(uuid, timestamptz, text),
    app_prune_token_revocations(integer) TO backend_app;
