-- The operator console: staff tokens (shown once, stored as SHA-256, revocable) and the audit log
-- of every console login and verb.

-- A token belongs to an email address and reaches every account that address has (one per
-- business, each with its role). Not a tenant table: only the functions below touch it.
CREATE TABLE console_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email        text NOT NULL,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX console_tokens_email ON console_tokens (lower(email));

-- Issues a token for an address with at least one live account; the number of accounts it
-- reaches (0: nothing was stored).
CREATE FUNCTION console_token_issue(login text, sha256 bytea) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n integer;
BEGIN
  SELECT count(*) INTO n FROM staff_users WHERE lower(email) = lower(login) AND disabled_at IS NULL;
  IF n > 0 THEN
    INSERT INTO console_tokens (email, token_sha256) VALUES (lower(login), sha256);
  END IF;
  RETURN n;
END
$$;

-- Revokes every live token of an address; how many.
CREATE FUNCTION console_token_revoke(login text) RETURNS integer
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH r AS (UPDATE console_tokens SET revoked_at = now()
             WHERE lower(email) = lower(login) AND revoked_at IS NULL RETURNING 1)
  SELECT count(*)::integer FROM r $$;

-- The accounts a token reaches (none when it is unknown or revoked).
CREATE FUNCTION console_token_lookup(sha256 bytea)
  RETURNS TABLE (user_id uuid, business_id uuid, role text, email text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT u.id, u.business_id,
               CASE WHEN u.role::text = 'user' THEN 'viewer' ELSE u.role::text END, u.email
        FROM console_tokens t JOIN staff_users u ON lower(u.email) = t.email
        WHERE t.token_sha256 = sha256 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
        ORDER BY u.business_id $$;

REVOKE ALL ON FUNCTION console_token_issue(text, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION console_token_revoke(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION console_token_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION console_token_issue(text, bytea) TO frontdesk_app;
GRANT EXECUTE ON FUNCTION console_token_revoke(text) TO frontdesk_app;
GRANT EXECUTE ON FUNCTION console_token_lookup(bytea) TO frontdesk_app;

-- Who did what to which call, when, and how it ended. A refused login has no business.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  business_id uuid REFERENCES businesses(id) ON DELETE CASCADE,
  user_id     uuid REFERENCES staff_users(id) ON DELETE SET NULL,
  actor       text NOT NULL,           -- the staff email, or what a refused console offered
  node        text NOT NULL,           -- the node that carried the verb out
  command_id  text NOT NULL DEFAULT '',
  verb        text NOT NULL,
  call_id     text NOT NULL DEFAULT '',
  args        text NOT NULL DEFAULT '',
  result      text NOT NULL CHECK (result IN ('done', 'not_applicable', 'refused', 'failed')),
  detail      text NOT NULL DEFAULT '',
  at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_business_at ON audit_log (business_id, at);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_log TO frontdesk_app
  USING (business_id = current_business());
GRANT SELECT ON audit_log TO frontdesk_app;

-- Writes one entry; runs as the owner, since a refusal may belong to no business.
CREATE FUNCTION console_audit(b uuid, u uuid, actor text, node text, command_id text, verb text,
                              call_id text, args text, result text, detail text) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO audit_log (business_id, user_id, actor, node, command_id, verb, call_id, args,
                         result, detail)
  VALUES (b, u, left(actor, 254), left(node, 100), left(command_id, 64), left(verb, 32),
          left(call_id, 64), left(args, 2000), result, left(detail, 2000)) $$;
REVOKE ALL ON FUNCTION console_audit(uuid, uuid, text, text, text, text, text, text, text, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION console_audit(uuid, uuid, text, text, text, text, text, text, text, text)
  TO frontdesk_app;

-- The live call events also say which node runs the call, how it ended, and the latest turn
-- latency, so that a console's watch follows a call from the feed alone (new keys only: the
-- dashboard's readers ignore them).
CREATE OR REPLACE FUNCTION live_call_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM publish_live_event(NEW.business_id, 'call', jsonb_build_object(
    'id', NEW.id, 'status', NEW.status, 'caller', NEW.caller, 'started_at', NEW.started_at,
    'ended_at', NEW.ended_at, 'outcome', NEW.outcome, 'booked', NEW.appointment_booked,
    'turns', jsonb_array_length(NEW.transcript),
    'last_role', NEW.transcript -> -1 ->> 'role',
    'last_text', left(NEW.transcript -> -1 ->> 'text', 300),
    'node', NEW.node, 'end_reason', NEW.end_reason,
    'latencies', jsonb_array_length(NEW.latencies), 'latency', NEW.latencies -> -1));
  RETURN NEW;
END
$$;
