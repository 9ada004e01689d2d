-- The dashboard: invitation links for staff, and indexes for its pages.
--
-- Invitations: the owner creates a link in the dashboard; whoever opens it chooses a password
-- and becomes a staff member of that business with the invited email and role. The link's
-- token is stored only as SHA-256, works once, and expires.

CREATE TABLE staff_invitations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id  uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role         staff_role NOT NULL,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  created_by   uuid REFERENCES staff_users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX staff_invitations_business ON staff_invitations (business_id, created_at);

ALTER TABLE staff_invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON staff_invitations TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_invitations TO frontdesk_app;

-- Accepting crosses tenants (the link names the business): an open invitation by its token's
-- hash, nothing else.
CREATE FUNCTION staff_invitation_lookup(sha256 bytea, at timestamptz)
  RETURNS TABLE (invitation_id uuid, business_id uuid, email text, role text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, business_id, email, role::text FROM staff_invitations
        WHERE token_sha256 = sha256 AND accepted_at IS NULL AND revoked_at IS NULL
          AND expires_at > at $$;
REVOKE ALL ON FUNCTION staff_invitation_lookup(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_invitation_lookup(bytea, timestamptz) TO frontdesk_app;

-- The dashboard's pages with a large business (10,000 calls, 50,000 appointments): a call's
-- appointments and texts, and the day's bookings by when they were made, by index.
CREATE INDEX appointments_call ON appointments (call_id) WHERE call_id IS NOT NULL;
-- Row-level security keeps a query's non-leakproof functions (lower() of a range, the range
-- operators) from being index conditions, so an appointment's start is a column of its own:
-- a window of starts is an index range scan under the policy.
ALTER TABLE appointments ADD COLUMN starts_at timestamptz GENERATED ALWAYS AS (lower(during)) STORED;
CREATE INDEX appointments_business_starts ON appointments (business_id, starts_at);
CREATE INDEX appointments_business_created ON appointments (business_id, created_at);
CREATE INDEX outbox_sms_appointment ON outbox ((payload->>'appointment_id')) WHERE kind = 'sms';
